import type WebSocket from 'ws';
import type { FixtureCall } from '../../fixtures/fixture-call.js';
import { TOKENS } from '../../test/helpers/server.js';
import { openSocket, type Message } from '../../test/helpers/ws-client.js';
import { sleepUntil } from './sleep-until.js';
import type { StreamRecorder } from './stream-recorder.js';

/** How long a call's end may take to reach the subscriber before its cues count as lost. */
const END_TIMEOUT_MS = 15_000;

interface LiveCall {
  /** segmentId → when its final was sent (performance.now()). */
  finalsSentAt: Map<string, number>;
  /** Chunk (segment, finality, text) → when it was first sent. */
  chunksSentAt: Map<string, number>;
  finalsClassified: number;
  cueSeqs: Set<number>;
  ended(lastSeq: number): void;
}

const chunkKey = (segmentId: string, isFinal: boolean, text: string): string => `${segmentId}\n${isFinal}\n${text}`;

/**
 * One agent's position: a producer connection that replays fixture calls back to back at speech
 * pace (both speakers, partials then finals), and the agent UI's subscriber connection, which
 * receives the cues and the labelled live transcript of the agent's calls.
 */
export class AgentDesk {
  private readonly calls = new Map<string, LiveCall>();

  private constructor(
    readonly agentId: string,
    private readonly ingest: WebSocket,
    private readonly subscriber: WebSocket,
    private readonly recorder: StreamRecorder,
  ) {
    ingest.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      if (message.type === 'error') recorder.ingestError(message.code as string);
    });
    subscriber.on('message', (data) => this.delivered(JSON.parse(data.toString()) as Message, performance.now()));
  }

  /** The producer connects to `ingestWs`, the agent UI to `subscribeWs` (another instance's, to cross instances). */
  static async open(
    ingestWs: string,
    subscribeWs: string,
    agentId: string,
    recorder: StreamRecorder,
  ): Promise<AgentDesk> {
    const [ingest, subscriber] = await Promise.all([
      openSocket(`${ingestWs}/v1/ingest`, TOKENS.ingest),
      openSocket(`${subscribeWs}/v1/subscribe`, TOKENS.agent),
    ]);
    const subscribed = new Promise((resolve) => subscriber.once('message', resolve));
    subscriber.send(JSON.stringify({ type: 'subscribe', scope: { agentId }, transcript: true }));
    await subscribed;
    return new AgentDesk(agentId, ingest, subscriber, recorder);
  }

  /** Takes calls from `startAt` (performance.now()) until `stopAt`, cutting the last one short there. */
  async work(
    fixtures: readonly FixtureCall[],
    first: number,
    startAt: number,
    stopAt: number,
    speed: number,
  ): Promise<void> {
    await sleepUntil(startAt);
    for (let n = 0; ; n++) {
      const fixture = fixtures[(first + n) % fixtures.length]!;
      if (performance.now() + fixture.chunks[0]!.endMs / speed >= stopAt) return;
      await this.replay(fixture, `${fixture.callId}~${this.agentId}~${n}`, stopAt, speed);
    }
  }

  close(): void {
    this.ingest.close();
    this.subscriber.close();
  }

  private async replay(fixture: FixtureCall, callId: string, stopAt: number, speed: number): Promise<void> {
    let ended!: (lastSeq: number) => void;
    const lastSeq = new Promise<number>((resolve) => (ended = resolve));
    const call: LiveCall = {
      finalsSentAt: new Map(),
      chunksSentAt: new Map(),
      finalsClassified: 0,
      cueSeqs: new Set(),
      ended,
    };
    this.calls.set(callId, call);
    this.send({ type: 'call.start', callId, agentId: this.agentId, teamId: fixture.teamId });
    const startedAt = performance.now();
    let finalsSent = 0;
    for (const chunk of fixture.chunks) {
      const due = startedAt + chunk.endMs / speed;
      if (due >= stopAt) break;
      await sleepUntil(due);
      const sentAt = performance.now();
      const key = chunkKey(chunk.segmentId, chunk.isFinal, chunk.text);
      if (!call.chunksSentAt.has(key)) call.chunksSentAt.set(key, sentAt);
      if (chunk.isFinal) call.finalsSentAt.set(chunk.segmentId, sentAt);
      if (chunk.isFinal && chunk.text.trim() !== '') finalsSent++;
      this.send({ type: 'transcript', chunk: { ...chunk, callId } });
      this.recorder.chunksSent++;
    }
    this.recorder.finalsSent += finalsSent;
    this.send({ type: 'call.end', callId });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      lastSeq,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), END_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    this.calls.delete(callId);
    if (outcome === undefined) {
      this.recorder.callsUnfinished++;
      return;
    }
    this.recorder.callEnded(outcome, call.cueSeqs);
    this.recorder.unclassifiedFinals += finalsSent - call.finalsClassified;
  }

  private send(message: object): void {
    this.ingest.send(JSON.stringify(message));
  }

  private delivered(message: Message, receivedAt: number): void {
    const callId = (
      message.type === 'cue' ? message.cue.callId : message.type === 'call' ? message.call.callId : message.callId
    ) as string;
    const call = this.calls.get(callId);
    if (!call) return;
    if (message.type === 'cue') {
      this.recorder.cues++;
      call.cueSeqs.add(message.cue.seq as number);
      // Cues raised by a final carry when it arrived and cite it last; the call-end debrief does not.
      const cited =
        message.cue.segmentReceivedAt === undefined ? undefined : (message.cue.evidence as Message[]).at(-1);
      const sentAt = cited && call.finalsSentAt.get(cited.utteranceId as string);
      if (sentAt !== undefined) this.recorder.cueLatency(sentAt, receivedAt);
    } else if (message.type === 'transcript' && message.label !== undefined) {
      const key = chunkKey(message.segmentId as string, message.isFinal as boolean, message.text as string);
      const sentAt = call.chunksSentAt.get(key);
      if (sentAt === undefined) return;
      call.chunksSentAt.delete(key);
      if (message.isFinal) call.finalsClassified++;
      this.recorder.classificationLatency(message.isFinal as boolean, sentAt, receivedAt);
    } else if (message.type === 'call' && message.event === 'ended') {
      call.ended(message.call.lastSeq as number);
    }
  }
}
