import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TOKEN_CONFIG } from '../helpers/server.js';

/** Runs src/main.ts with `env` added to a working setting; resolves with its exit code and what it printed on stderr. */
async function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const service = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      AUTH_TOKENS: TOKEN_CONFIG,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  service.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(service, 'exit')) as [number | null];
  return { code, stderr };
}

// Problems only trying finds (a name that does not resolve, a missing model, a database that does
// not answer) end the start as the checked settings do: one line naming the variable behind them.
describe('a start-up step failing because of a setting', () => {
  it.each<{ variable: string; env: Record<string, string>; line: string }>([
    {
      variable: 'MODEL_DIR',
      env: { MODEL_DIR: '/nonexistent' },
      line: 'MODEL_DIR="/nonexistent": must be a folder holding the model (model.onnx, vocab.json, …) (ENOENT',
    },
    {
      variable: 'DATA_DIR',
      env: { RECORD: 'on', DATA_DIR: '/etc/hostname' },
      line: 'DATA_DIR="/etc/hostname": must be a folder the service may create and write its SQLite file in (EEXIST',
    },
    {
      variable: 'DATABASE_URL',
      env: { RECORD: 'on', DATABASE_URL: 'postgres://someone:secret@127.0.0.1:1/db' },
      line: 'DATABASE_URL="postgres://someone:***@127.0.0.1:1/db": must be a PostgreSQL server the service can reach and log in to (connect ECONNREFUSED',
    },
    {
      variable: 'HOST',
      env: { RECORD: 'off', HOST: 'not.a.host.invalid' },
      line: 'HOST="not.a.host.invalid": must be an address of this machine, or a name that resolves to one (getaddrinfo ENOTFOUND',
    },
  ])('names $variable', async ({ env, line }) => {
    const { code, stderr } = await start(env);
    expect(code, stderr).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(`call-guard could not start: ${line}`)]);
  });
});
