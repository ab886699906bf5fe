import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';

async function answer(url: string, service: ChildProcess): Promise<Response> {
  for (;;) {
    if (service.exitCode !== null) throw new Error(`npm start exited with ${service.exitCode}`);
    try {
      return await fetch(url);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

interface LogLine {
  pid: number;
  msg: string;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// `npm start` runs the compiled JavaScript that `npm run build` (and `npm ci`, through "prepare") writes to dist/.
describe('the production build, run as the README says (npm start)', () => {
  let npmStart: ChildProcess;
  const logLines: LogLine[] = [];
  let base: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    npmStart = spawn('npm', ['start', '--silent'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: npmStart.stdout! }).on('line', (line) => logLines.push(JSON.parse(line) as LogLine));
  }, 120_000);

  afterAll(async () => {
    // Should npm have left the service behind, it must not outlive the test.
    for (const pid of new Set(logLines.map((line) => line.pid))) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    if (npmStart.exitCode === null && npmStart.signalCode === null) {
      npmStart.kill('SIGKILL');
      await once(npmStart, 'exit');
    }
  });

  it('says in one line what it serves', async () => {
    expect((await answer(`${base}/healthz`, npmStart)).status).toBe(200);
    await until(() => logLines.some((line) => line.msg === 'serving'));
    expect(logLines.filter((line) => line.msg === 'serving')).toEqual([
      expect.objectContaining({
        model: 'models/use-lite-abuse',
        modelRound: expect.any(Number),
        policy: 'built-in',
        inferenceThread: 'main',
        state: 'memory',
        record: 'sqlite data/call-guard.db',
      }),
    ]);
  });

  it('ends a second start on the same port at once, with one line naming the problem', async () => {
    expect((await answer(`${base}/healthz`, npmStart)).status).toBe(200);
    const second = spawnSync('npm', ['start', '--silent'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(2);
    expect(second.stderr.trim()).toMatch(/^call-guard could not start: .*EADDRINUSE/);
  }, 90_000);

  it('serves the console from the built layout, classifies with the model, and drains on a SIGTERM sent to npm', async () => {
    expect((await answer(`${base}/healthz`, npmStart)).status).toBe(200);
    const page = await fetch(`${base}/console`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect((await fetch(`${base}/console/console.js`)).status).toBe(200);

    const classified = await fetch(`${base}/v1/classify`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev-ingest-token-change-me', 'content-type': 'application/json' },
      body: JSON.stringify({ texts: ['i know where you live'] }),
    });
    expect(classified.status).toBe(200);

    // A process supervisor stops what it started: npm, not the node process under it.
    const exited = once(npmStart, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    npmStart.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    const service = logLines[0]!.pid;
    expect(logLines.filter((line) => line.msg.startsWith('shutting down'))).toEqual([
      expect.objectContaining({ pid: service, msg: 'shutting down: draining calls, then closing sockets' }),
    ]);
    expect(isAlive(service)).toBe(false);
  });
});
