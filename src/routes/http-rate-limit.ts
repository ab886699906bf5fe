import { createHash } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tokenOf, type TokenStore } from '../auth/tokens.js';
import { CONSOLE_PAGE_ROUTES } from './console.js';
import { PROBE_ROUTES } from './health.js';

export const httpRateLimitDefaults = { httpRatePerSec: 500 };

const UNLIMITED_ROUTES: ReadonlySet<string> = new Set([...PROBE_ROUTES, ...CONSOLE_PAGE_ROUTES]);

/** Registers before the routes: every HTTP route then allows HTTP_RATE_PER_SEC requests a second per token, or per address without one. */
export async function registerHttpRateLimit(
  app: FastifyInstance,
  tokens: TokenStore,
  httpRatePerSec: number,
): Promise<void> {
  await app.register(fastifyRateLimit, {
    max: httpRatePerSec,
    timeWindow: 1000,
    keyGenerator: (request: FastifyRequest) => {
      const token = tokenOf(request.headers, request.query);
      // Unknown tokens count against the caller's address, so made-up ones cannot buy fresh allowances.
      return token && tokens.lookup(token)
        ? `token ${createHash('sha256').update(token).digest('hex')}`
        : `address ${request.ip}`;
    },
    // Probes must always be answered, and the console page loads whatever the API allowance of its
    // address. WebSockets have per-connection message limits of their own (rate-limit.ts) and a
    // cap per tenant (tenant-connections.ts); an upgrade without a known token spends its address's allowance.
    // The plugin hands allowList the key keyGenerator gave: a `token …` key is a known token.
    allowList: (request: FastifyRequest, key: string) =>
      UNLIMITED_ROUTES.has(request.routeOptions.url ?? '') || (isUpgrade(request) && key.startsWith('token ')),
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(`more than ${context.max} requests a second from this token (or address); retry in ${context.after}`),
        { statusCode: context.statusCode },
      ),
  });
}

/**
 * A WebSocket handshake as Node's parser saw it (an Upgrade header with Connection: upgrade); an
 * Upgrade header alone leaves a plain request, which the limit counts. `upgrade` is set by Node on
 * every IncomingMessage but is missing from its types.
 */
const isUpgrade = (request: FastifyRequest): boolean => (request.raw as { upgrade?: boolean }).upgrade === true;
