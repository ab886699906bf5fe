import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { withoutToken } from '../auth/tokens.js';
import { BoundedMap } from '../bounded.js';
import type { Metrics } from '../metrics.js';
import { PROBE_ROUTES } from './health.js';

/** Answers a client earns with its token (401, 403) or its pace (429): its doing, not news about the service. */
const REFUSED_STATUSES: ReadonlySet<number> = new Set([401, 403, 429]);
const WARN_PER_ADDRESS_EVERY_MS = 60_000;
/** Addresses whose refusals are being counted towards their next warning; the oldest is let go beyond this. */
const ADDRESSES_COUNTED = 10_000;

interface Tally {
  warnedAt: number;
  byStatus: Record<number, number>;
}

/**
 * One line per request, when it is answered, with the request in it (its arrival is logged at
 * debug); a WebSocket logs its own line once upgraded (ws-channel.ts). Probes are logged at debug.
 * Refusals (401, 403, 429) cost a line of a client's choosing each, so they are logged at debug
 * and counted (callguard_http_refused_total): an address gets one warning with its first refusal,
 * then at most one a minute, saying how many of each were refused since.
 */
export class RequestLog extends LogController {
  private readonly tallies = new BoundedMap<string, Tally>(ADDRESSES_COUNTED);

  constructor(
    private readonly metrics: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) return reply.log.error({ ...line, err: error }, 'request errored');
    const refused = REFUSED_STATUSES.has(reply.statusCode);
    if (refused || PROBE_ROUTES.has(request.routeOptions.url ?? '')) reply.log.debug(line, 'request completed');
    else reply.log.info(line, 'request completed');
    if (refused) this.countRefusal(request, reply.statusCode);
  }

  private countRefusal(request: FastifyRequest, status: number): void {
    this.metrics.httpRefused.inc({ status });
    const address = request.ip;
    const now = this.now();
    const tally = this.tallies.get(address);
    if (tally && now - tally.warnedAt < WARN_PER_ADDRESS_EVERY_MS) {
      tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
      return;
    }
    const refused = { ...tally?.byStatus, [status]: (tally?.byStatus[status] ?? 0) + 1 };
    request.log.warn(
      { remoteAddress: address, method: request.method, url: withoutToken(request.url), status, refused },
      'requests refused (401/403/429) from this address since its last such warning; each is logged at debug',
    );
    this.tallies.delete(address);
    this.tallies.set(address, { warnedAt: now, byStatus: {} });
  }
}
