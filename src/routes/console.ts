import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireScope } from '../auth/guard.js';
import { TokenQuery } from '../protocol/common.js';
import { ConsoleSession } from '../protocol/console-session.js';
import type { ServiceContext } from './context.js';

/** The folder holding package.json, above this file both in the sources (src/routes) and in the build (dist/src/routes). */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** Where `npm run build:console` writes the page, found from this file so the service can start from any folder. */
const DEFAULT_CONSOLE_DIR = join(packageRoot(dirname(fileURLToPath(import.meta.url))), 'dist', 'console');

const ASSETS = {
  '/console': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

/**
 * The page and its files, fetched without a token: every browser behind one proxy address shares
 * that address's HTTP allowance, so they are left out of it (small files, read from disk).
 */
export const CONSOLE_PAGE_ROUTES: ReadonlySet<string> = new Set([...Object.keys(ASSETS), '/favicon.ico']);

/** The agent and supervisor console: the built page, and a token check it makes before subscribing (security headers: security-headers.ts). */
export function registerConsole(app: FastifyInstance, ctx: ServiceContext, dir = DEFAULT_CONSOLE_DIR): void {
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply: FastifyReply) => {
      let body: Buffer;
      try {
        body = await readFile(join(dir, asset.file));
      } catch {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The console has not been built: run `npm run build` (or `npm ci`), then reload.');
      }
      return reply.header('cache-control', 'no-cache').type(asset.type).send(body);
    });
  }

  // Browsers ask for an icon on every page; the console has none, and says so without a 404 in the log.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());

  app.get(
    '/console/session',
    {
      preValidation: requireScope(ctx.tokens, ['subscribe', 'supervise']),
      schema: { querystring: TokenQuery, response: { 200: ConsoleSession } },
    },
    async (request): Promise<ConsoleSession> => {
      const { name, scopes, agentId } = request.principal!;
      return { name, scopes: [...scopes], ...(agentId !== undefined ? { agentId } : {}) };
    },
  );
}
