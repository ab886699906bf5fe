import type { AckStep, AgentAck } from '../../protocol/common.js';
import type { ErrorMessage } from '../../protocol/errors.js';
import type { IngestAck } from '../../protocol/ingest-messages.js';
import type {
  AlertClaim,
  CallSummary,
  ResumePoint,
  Subscribe,
  SubscriberEvent,
  Subscribed,
  SubscriptionScope,
  Unsubscribe,
  Unsubscribed,
} from '../../protocol/subscribe-messages.js';

/** Everything the service sends on /v1/subscribe. */
type ServerMessage = Subscribed | Unsubscribed | SubscriberEvent | IngestAck | ErrorMessage;

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';
/** The call an ack is for: its id, and the epoch the page saw it in. */
export type AckedCall = Pick<CallSummary, 'callId' | 'epoch'>;
export type AckOutcome = { ok: true } | { ok: false; problem: string };

export interface FeedOptions {
  url: string;
  scope: SubscriptionScope;
  transcript: boolean;
  /** The newest cue seen per call (seq, with its epoch once known). */
  resumePoints(): Record<string, ResumePoint>;
}

export interface FeedHandlers {
  /** The calls a subscription starts with; `reconnected` once the page had been live before. */
  onCalls(calls: CallSummary[], reconnected: boolean): void;
  onEvent(event: SubscriberEvent): void;
  onStatus(status: FeedStatus): void;
  onAck(step: AckStep, outcome: AckOutcome): void;
  /** The service turned the subscription down; the feed stops. */
  onRefused(problem: string): void;
  /** After a connection attempt failed: why the service refuses this page for good (a revoked token), or undefined to keep trying. */
  whyRefused(): Promise<string | undefined>;
}

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;
/** Refusals of a subscribe that pass: the page reconnects instead of giving up. */
const TRANSIENT: ReadonlySet<ErrorMessage['code']> = new Set(['unavailable', 'shutting_down']);

/**
 * One subscription on /v1/subscribe that outlives its sockets: every new socket subscribes again,
 * resuming each call from the newest cue seen, so no cue is lost. A subscription that finds live
 * calls it could not resume (the page had not seen them yet) is replaced by one that does; the
 * store drops the cues both deliver while they overlap.
 */
export class LiveFeed {
  private socket: WebSocket | undefined;
  private subscriptionId: string | undefined;
  private retryMs = RETRY_FIRST_MS;
  private stopped = false;
  private nextId = 1;
  /** The calls each pending subscribe asked to resume, by request id. */
  private readonly resumed = new Map<string, Set<string>>();
  private readonly pendingAcks = new Map<string, AckStep>();
  /** What to do when the service turns a claim down, by request id. */
  private readonly pendingClaims = new Map<string, (problem: string) => void>();
  /** Whether a subscription was ever confirmed: later ones catch up on what happened meanwhile. */
  private wasLive = false;

  constructor(
    private readonly options: FeedOptions,
    private readonly handlers: FeedHandlers,
  ) {}

  start(): void {
    this.handlers.onStatus('connecting');
    this.connect();
  }

  /**
   * Sends the agent's acknowledgement for the call of that epoch (the service refuses it if the call
   * has since ended and another of that id started); false when there is no connection to send it on.
   */
  acknowledge({ callId, epoch }: AckedCall, step: AckStep): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    const id = this.requestId('ack');
    this.pendingAcks.set(id, step);
    this.send({ type: 'agent.ack', id, callId, epoch, step } satisfies AgentAck);
    return true;
  }

  /**
   * Tells the service a supervisor took a safety alert; false when there is no connection to send it
   * on. `refused` hears why, if the service turns it down (the alert is no longer held).
   */
  claimAlert(callId: string, seq: number, refused: (problem: string) => void): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    const id = this.requestId('claim');
    this.pendingClaims.set(id, refused);
    this.send({ type: 'alert.claim', id, callId, seq } satisfies AlertClaim);
    return true;
  }

  private connect(): void {
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.subscriptionId = undefined;
      this.resumed.clear();
      this.subscribe();
    };
    socket.onmessage = (message) => this.receive(JSON.parse(String(message.data)) as ServerMessage);
    socket.onclose = () => (opened ? this.reconnect() : void this.connectFailed());
  }

  private async connectFailed(): Promise<void> {
    const refusal = await this.handlers.whyRefused();
    if (refusal === undefined || this.stopped) return this.reconnect();
    this.stopped = true;
    this.handlers.onRefused(refusal);
  }

  private reconnect(): void {
    for (const step of this.pendingAcks.values()) {
      this.handlers.onAck(step, {
        ok: false,
        problem: 'The connection dropped before the service confirmed it: check the ladder before trying again.',
      });
    }
    this.pendingAcks.clear();
    this.pendingClaims.clear();
    if (this.stopped) return;
    this.handlers.onStatus('reconnecting');
    setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private subscribe(): void {
    const resume = this.options.resumePoints();
    const id = this.requestId('subscribe');
    this.resumed.set(id, new Set(Object.keys(resume)));
    this.send({
      type: 'subscribe',
      id,
      scope: this.options.scope,
      transcript: this.options.transcript,
      resume,
    } satisfies Subscribe);
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case 'subscribed':
        return this.subscribed(message);
      case 'ack': {
        if (message.id !== undefined) this.pendingClaims.delete(message.id);
        const step = this.takeAck(message.id);
        return step && this.handlers.onAck(step, { ok: true });
      }
      case 'error':
        return this.failed(message);
      case 'unsubscribed':
        return;
      default:
        return this.handlers.onEvent(message);
    }
  }

  private subscribed(message: Subscribed): void {
    const asked = (message.id !== undefined && this.resumed.get(message.id)) || new Set<string>();
    if (message.id !== undefined) this.resumed.delete(message.id);
    if (this.subscriptionId !== undefined)
      this.send({ type: 'unsubscribe', subscriptionId: this.subscriptionId } satisfies Unsubscribe);
    this.subscriptionId = message.subscriptionId;
    // Only a confirmed subscription resets the wait: a socket that opens and is refused each time backs off.
    this.retryMs = RETRY_FIRST_MS;
    const reconnected = this.wasLive;
    this.wasLive = true;
    this.handlers.onCalls(message.calls, reconnected);
    this.handlers.onStatus('live');
    // Calls with cues it could not resume (it had not seen them) that the page now follows: live ones, and after a
    // reconnect those that ended meanwhile.
    const follows = this.options.resumePoints();
    const unread = (call: CallSummary) => call.lastSeq > 0 && !asked.has(call.callId) && call.callId in follows;
    if (message.calls.some(unread)) this.subscribe();
  }

  private failed(error: ErrorMessage): void {
    const step = this.takeAck(error.id);
    if (step) return this.handlers.onAck(step, { ok: false, problem: error.message });
    const claim = error.id === undefined ? undefined : this.pendingClaims.get(error.id);
    if (claim) {
      this.pendingClaims.delete(error.id!);
      return claim(error.message);
    }
    if (error.id !== undefined && this.resumed.has(error.id)) {
      // The call store unreachable, or the service draining: a moment's problem, tried again on a new socket.
      if (TRANSIENT.has(error.code)) return this.socket?.close();
      this.stopped = true;
      this.socket?.close();
      this.handlers.onRefused(error.message);
    }
  }

  private takeAck(id: string | undefined): AckStep | undefined {
    const step = id === undefined ? undefined : this.pendingAcks.get(id);
    if (id !== undefined) this.pendingAcks.delete(id);
    return step;
  }

  private send(message: Subscribe | Unsubscribe | AgentAck | AlertClaim): void {
    this.socket?.send(JSON.stringify(message));
  }

  private requestId(kind: string): string {
    return `${kind}-${this.nextId++}`;
  }
}
