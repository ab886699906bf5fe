import type { FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Metrics } from '../metrics.js';
import {
  refusal,
  storeUnreachable,
  type ErrorCode,
  type ErrorMessage,
  type Outcome,
  type Refusal,
} from '../protocol/errors.js';
import { RateLimiter } from './rate-limit.js';
import type { BudgetShare, Holdable, TenantIngestBudget } from './tenant-ingest-budget.js';

export const CLOSE_GOING_AWAY = 1001;
const CLOSE_TRY_AGAIN_LATER = 1013;

export interface ChannelDeps {
  metrics: Metrics;
  /** The upgrade: its log, and what the connection's opening line names. */
  request: FastifyRequest;
  ratePerSec: number;
  burst: number;
  /** Unsent bytes beyond which the peer is closed (1013): it is not reading what it is sent. */
  maxBufferedBytes: number;
  /** A ping goes out this often; a peer that has not answered the previous one (nor sent anything) is dropped. */
  heartbeatMs: number;
  /** Ingest: the budget all of the tenant's ingest connections share; every message is charged to it too. */
  tenantBudget?: TenantIngestBudget;
}

/** What the ingest and subscribe routes give their channels (INGEST_*, PRODUCER_*, SUBSCRIBE_*, SUBSCRIBER_*, WS_HEARTBEAT_MS). */
export const channelDefaults = {
  ingestRatePerSec: 500,
  ingestBurst: 1000,
  producerMaxBufferedBytes: 1024 * 1024,
  subscribeRatePerSec: 20,
  subscribeBurst: 50,
  subscriberMaxBufferedBytes: 1024 * 1024,
  wsHeartbeatMs: 30_000,
};

/**
 * Parsed JSON frames of one connection, rate limited (an ingest connection's are also held back
 * while its tenant is over its budget); problems are answered on the socket, which stays open. The
 * connection is closed when the peer stops answering pings (a half-open socket) or stops reading
 * its replies (they would otherwise pile up in memory without bound).
 */
export class WsChannel implements Holdable {
  private readonly limiter: RateLimiter;
  private readonly share: BudgetShare | undefined;
  private heardFrom = true;

  constructor(
    readonly socket: WebSocket,
    private readonly route: 'ingest' | 'subscribe',
    private readonly deps: ChannelDeps,
  ) {
    this.limiter = new RateLimiter(deps.ratePerSec, deps.burst);
    this.share = deps.tenantBudget?.join(deps.request.principal!.tenant, this);
    // The upgrade's own request line is at debug (request-log.ts): this is its line at info.
    deps.request.log.info({ req: deps.request }, 'websocket opened');
    deps.metrics.connections.inc({ route });
    const heartbeat = setInterval(() => this.beat(), deps.heartbeatMs).unref();
    socket.on('pong', () => (this.heardFrom = true));
    socket.once('close', () => {
      clearInterval(heartbeat);
      this.share?.leave();
      deps.metrics.connections.dec({ route });
    });
  }

  /** `handler` may finish later (a message waiting for its call to start); its failures are answered all the same. */
  onMessage(handler: (message: unknown) => void | Promise<void>): void {
    this.socket.on('message', (data, isBinary) => {
      this.heardFrom = true;
      this.share?.spend(1);
      // Every frame is charged, readable or not. A refused one is parsed only if small, to echo its
      // id: a flood of large frames past the rate costs no parsing.
      if (!this.limiter.take()) {
        const refused = rawSize(data) <= ID_ECHO_MAX_BYTES ? readFrame(data, isBinary) : undefined;
        return this.error(
          'rate_limited',
          'too many messages on this connection; slow down',
          refused?.ok ? idOf(refused.message) : undefined,
        );
      }
      const frame = readFrame(data, isBinary);
      if (!frame.ok) return this.refuse(frame);
      try {
        void handler(frame.message)?.catch((err: unknown) => this.failed(err));
      } catch (err) {
        this.failed(err);
      }
    });
  }

  /** Charges the rate limit (and the tenant's budget) for work a message turned out to make beyond itself (see RateLimiter). */
  charge(units: number): void {
    this.limiter.charge(units);
    this.share?.spend(units);
  }

  /** Stops reading the peer (its tenant is over its budget); frames it had already read still come. */
  hold(): void {
    this.socket.pause();
  }

  /** Reads the peer again; the pongs it could not read meanwhile count as heard (see beat). */
  release(): void {
    this.heardFrom = true;
    this.socket.resume();
  }

  error(code: ErrorCode, message: string, id?: string): void {
    this.deps.metrics.rejected.inc({ route: this.route, code });
    const reply: ErrorMessage = { type: 'error', code, message, ...(id !== undefined ? { id } : {}) };
    this.send(reply);
  }

  refuse({ code, message }: Refusal, id?: string): void {
    this.error(code, message, id);
  }

  /** The call store could not be read or written (Redis unreachable): the client may retry. */
  unavailable(error: unknown, id: string | undefined): void {
    this.deps.request.log.warn({ err: error }, `${this.route} request failed: the call store is unreachable`);
    this.refuse(storeUnreachable, id);
  }

  /** Sends unless the peer has stopped reading; then closes it (1013) instead of buffering without bound. */
  send(message: object): void {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.deps.maxBufferedBytes) {
      this.deps.metrics.wsClosed.inc({ route: this.route, reason: 'slow-reader' });
      socket.close(
        CLOSE_TRY_AGAIN_LATER,
        `${this.route === 'ingest' ? 'producer' : 'subscriber'} not reading its messages; reconnect`,
      );
      return;
    }
    socket.send(JSON.stringify(message));
  }

  private failed(err: unknown): void {
    this.deps.request.log.error({ err }, `${this.route} message handler failed`);
    this.deps.metrics.internalErrors.inc({ where: `${this.route}-handler` });
    this.error('internal', 'message: could not be processed; see the service log');
  }

  private beat(): void {
    // A held peer's pongs wait unread: it is judged from the first beat after its release.
    if (this.socket.isPaused) return;
    if (!this.heardFrom) {
      this.deps.metrics.wsClosed.inc({ route: this.route, reason: 'no-pong' });
      this.socket.terminate();
      return;
    }
    this.heardFrom = false;
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }
}

/**
 * A peer that breaks the WebSocket protocol (a frame over MAX_PAYLOAD_BYTES, invalid UTF-8, a bad
 * opcode) is the peer's problem, not the service's: one warning line, no stack. `ws` closes the socket.
 */
export function logSocketError(error: Error & { code?: string }, _socket: WebSocket, request: FastifyRequest): void {
  request.log.warn(
    { code: error.code, problem: error.message },
    'websocket peer broke the protocol; connection closed',
  );
}

/** The largest frame refused for its rate whose id is echoed (see onMessage). */
const ID_ECHO_MAX_BYTES = 4096;

const rawSize = (data: RawData): number =>
  Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data.byteLength;

/** A text frame's JSON, or why it is none. */
function readFrame(data: RawData, isBinary: boolean): Outcome<{ message: unknown }> {
  if (isBinary) return refusal('bad_json', 'message: expected a text frame holding JSON');
  try {
    return { ok: true, message: JSON.parse(data.toString()) };
  } catch {
    return refusal('bad_json', 'message: not valid JSON');
  }
}

/** The `id` a message carried, if any, to echo in an error about it. */
export const idOf = (message: unknown): string | undefined => {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
};
