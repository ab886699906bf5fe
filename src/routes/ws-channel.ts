import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { Metrics } from '../metrics.js';
import type { ErrorCode, ErrorMessage } from '../protocol/common.js';
import { RateLimiter } from './rate-limit.js';

export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_TRY_AGAIN_LATER = 1013;

export function send(socket: WebSocket, message: object): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/** Parsed JSON frames of one connection, rate limited; problems are answered on the socket, which stays open. */
export class WsChannel {
  private readonly limiter: RateLimiter;

  constructor(
    readonly socket: WebSocket,
    private readonly route: 'ingest' | 'subscribe',
    private readonly deps: { metrics: Metrics; log: FastifyBaseLogger; ratePerSec: number; burst: number },
  ) {
    this.limiter = new RateLimiter(deps.ratePerSec, deps.burst);
    deps.metrics.connections.inc({ route });
    socket.once('close', () => deps.metrics.connections.dec({ route }));
  }

  onMessage(handler: (message: unknown) => void): void {
    this.socket.on('message', (data, isBinary) => {
      if (!this.limiter.take()) return this.error('rate_limited', 'too many messages on this connection; slow down');
      if (isBinary) return this.error('bad_json', 'message: expected a text frame holding JSON');
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return this.error('bad_json', 'message: not valid JSON');
      }
      try {
        handler(message);
      } catch (err) {
        this.deps.log.error({ err }, `${this.route} message handler failed`);
        this.error('invalid_message', 'message: could not be processed');
      }
    });
  }

  error(code: ErrorCode, message: string, id?: string): void {
    this.deps.metrics.rejected.inc({ route: this.route, code });
    const reply: ErrorMessage = { type: 'error', code, message, ...(id !== undefined ? { id } : {}) };
    send(this.socket, reply);
  }

  send(message: object): void {
    send(this.socket, message);
  }
}

/** The `id` a message carried, if any, to echo in an error about it. */
export const idOf = (message: unknown): string | undefined => {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
};
