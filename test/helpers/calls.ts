import type { TestClient, Message } from './ws-client.js';

let nextId = 0;
const id = (): string => `m${++nextId}`;

/** A customer's final as a transcript message: turn `seq` of a call, 3 s a turn. */
export const customerFinal = (callId: string, seq: number, text: string, id: string, segmentId: string) => ({
  type: 'transcript',
  id,
  chunk: {
    callId,
    segmentId,
    seq,
    speaker: 'customer',
    isFinal: true,
    text,
    startMs: seq * 3000,
    endMs: seq * 3000 + 2500,
  },
});

/** Drives one call over an ingest connection: each utterance is a final segment, times advance 3 s per turn. */
export class CallScript {
  private seq = 0;
  private atMs = 0;

  constructor(
    private readonly producer: TestClient,
    readonly callId: string,
  ) {}

  start(agentId = 'agent-7', teamId: string | undefined = 'team-a'): Promise<Message> {
    return this.producer.request({
      type: 'call.start',
      id: id(),
      callId: this.callId,
      agentId,
      ...(teamId ? { teamId } : {}),
    });
  }

  say(
    speaker: 'customer' | 'agent',
    text: string,
    isFinal = true,
    segmentId = `${this.callId}-s${this.seq}`,
  ): Promise<Message> {
    const startMs = this.atMs;
    this.atMs += 3000;
    const chunk = {
      callId: this.callId,
      segmentId,
      seq: this.seq++,
      speaker,
      isFinal,
      text,
      startMs,
      endMs: startMs + 2500,
    };
    return this.producer.request({ type: 'transcript', id: id(), chunk });
  }

  customer(text: string): Promise<Message> {
    return this.say('customer', text);
  }

  agent(text: string): Promise<Message> {
    return this.say('agent', text);
  }

  ack(step: 'limit-set' | 'warning-given' | 'transferred' | 'released', epoch?: string): Promise<Message> {
    return this.producer.request({
      type: 'agent.ack',
      id: id(),
      callId: this.callId,
      step,
      ...(epoch !== undefined ? { epoch } : {}),
    });
  }

  end(): Promise<Message> {
    return this.producer.request({ type: 'call.end', id: id(), callId: this.callId });
  }
}

/** Subscribes and waits for the confirmation. */
export function subscribe(client: TestClient, scope: Message, extra: Message = {}): Promise<Message> {
  return client.request({ type: 'subscribe', id: id(), scope, ...extra });
}

/** Matches the message that tells a subscriber the call ended. */
export const endOfCall =
  (callId: string) =>
  (m: Message): boolean =>
    m.type === 'call' && m.event === 'ended' && m.call.callId === callId;

/** Waits until the subscriber has seen the call end: every cue of the call has been delivered by then. */
export const callEnded = (client: TestClient, callId: string): Promise<Message> => client.next(endOfCall(callId));
