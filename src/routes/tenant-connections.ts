import type { FastifyReply, FastifyRequest } from 'fastify';
import { refusal } from '../protocol/errors.js';
import { envName } from '../setting-problem.js';
import { sendRefusal } from './http-errors.js';

type Route = 'ingest' | 'subscribe';

/**
 * MAX_INGEST_CONNECTIONS_PER_TENANT and MAX_SUBSCRIBE_CONNECTIONS_PER_TENANT, sized so that no
 * honest tenant meets them: a provider-format producer opens one connection per call leg, two legs
 * for each of the MAX_CALLS_PER_TENANT (2000) calls a tenant may have; a console page holds one
 * subscriber connection, and an agent's page on each of those calls may briefly hold a second
 * (another tab, or a reconnect before the dropped socket misses its heartbeat).
 */
export const tenantConnectionDefaults = {
  maxIngestConnectionsPerTenant: 4000,
  maxSubscribeConnectionsPerTenant: 4000,
};

const SETTING: Record<Route, keyof typeof tenantConnectionDefaults> = {
  ingest: 'maxIngestConnectionsPerTenant',
  subscribe: 'maxSubscribeConnectionsPerTenant',
};

/**
 * The WebSocket connections each tenant holds open on this instance, by route: one tenant cannot
 * take the instance's sockets and event loop by opening connection after connection (each has
 * its own message allowance). Counted per instance, also with REDIS_URL.
 */
export class TenantConnections {
  private readonly open = new Map<string, number>();

  constructor(private readonly limits: Readonly<Record<Route, number>>) {}

  /**
   * A preHandler for a WebSocket route, the last step before the upgrade: the upgrade's socket
   * counts against its tenant until it closes (whether or not the handshake completes), and one
   * over the limit is refused 429 `too_many_connections` without a socket.
   */
  admit(route: Route) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (!request.ws) return;
      const key = `${route} ${request.principal!.tenant}`;
      const count = this.open.get(key) ?? 0;
      const limit = this.limits[route];
      if (count >= limit) {
        await sendRefusal(
          reply,
          refusal(
            'too_many_connections',
            `this tenant already holds ${limit} ${route} connections on this instance (${envName(SETTING[route])}); close one first`,
          ),
        );
        return;
      }
      const socket = request.raw.socket;
      if (socket.closed) return;
      this.open.set(key, count + 1);
      socket.once('close', () => {
        const left = this.open.get(key)! - 1;
        if (left === 0) this.open.delete(key);
        else this.open.set(key, left);
      });
    };
  }
}
