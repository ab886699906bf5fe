import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Classifier } from '../../src/classifier/classifier.js';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { KeywordClassifier } from './keyword-classifier.js';

export const TOKENS = {
  ingest: 'test-ingest-token-acme-0001',
  agent: 'test-agent-token-acme-0001',
  /** Bound to agent-bound: it follows and acts on that agent's calls only. */
  boundAgent: 'test-agent-token-acme-bound1',
  supervisor: 'test-supervisor-token-acme-01',
  otherTenant: 'test-supervisor-token-globex-1',
  otherIngest: 'test-ingest-token-globex-0001',
};

/** AUTH_TOKENS for the tokens above. */
export const TOKEN_CONFIG = JSON.stringify([
  { token: TOKENS.ingest, tenant: 'acme', scopes: ['ingest'] },
  { token: TOKENS.agent, tenant: 'acme', scopes: ['subscribe'] },
  { token: TOKENS.boundAgent, tenant: 'acme', scopes: ['subscribe'], agentId: 'agent-bound', name: 'agent-bound' },
  { token: TOKENS.supervisor, tenant: 'acme', scopes: ['subscribe', 'supervise', 'review'], name: 'sup-ana' },
  { token: TOKENS.otherTenant, tenant: 'globex', scopes: ['subscribe', 'supervise', 'review'] },
  { token: TOKENS.otherIngest, tenant: 'globex', scopes: ['ingest'] },
]);

export interface TestServer {
  app: FastifyInstance;
  http: string;
  ws: string;
  classifier: Classifier;
  close(): Promise<void>;
}

/**
 * The real server on an ephemeral port (or env.PORT), with the keyword classifier unless another
 * is given, and its incident record in a temporary DATA_DIR (removed on close) unless env names one.
 */
export async function startServer(
  env: Record<string, string> = {},
  classifier: Classifier = new KeywordClassifier(),
): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'call-guard-data-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AUTH_TOKENS: TOKEN_CONFIG,
    PARTIAL_DEBOUNCE_MS: '5',
    DATA_DIR: dataDir,
    ...env,
  });
  const app = await buildServer({ config, classifier });
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    classifier,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    async close() {
      await app.close();
      if (env.DATA_DIR === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
