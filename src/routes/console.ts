import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireScope } from '../auth/guard.js';
import { ConsoleSession } from '../protocol/console-session.js';
import type { ServiceContext } from './context.js';

/** Where `npm run build:console` writes the page, found from this file so the service can start from any folder. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

const ASSETS = {
  '/console': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

// The page carries its token in the address: it must not leak in a Referer, and only this origin may run code in it.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/** The agent and supervisor console: the built page, and a token check it makes before subscribing. */
export function registerConsole(app: FastifyInstance, ctx: ServiceContext, dir = DEFAULT_CONSOLE_DIR): void {
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply: FastifyReply) => {
      let body: Buffer;
      try {
        body = await readFile(join(dir, asset.file));
      } catch {
        return reply.code(503).type('text/plain; charset=utf-8').send('The console has not been built: run `npm run build` (or `npm ci`), then reload.');
      }
      return reply.headers(SECURITY_HEADERS).type(asset.type).send(body);
    });
  }

  app.get(
    '/console/session',
    { preValidation: requireScope(ctx.tokens, ['subscribe', 'supervise']), schema: { response: { 200: ConsoleSession } } },
    async (request): Promise<ConsoleSession> => ({ name: request.principal!.name, scopes: [...request.principal!.scopes] }),
  );
}
