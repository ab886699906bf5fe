import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';

async function answer(url: string, service: ChildProcess): Promise<Response> {
  for (;;) {
    if (service.exitCode !== null) throw new Error(`the built service exited with ${service.exitCode}`);
    try {
      return await fetch(url);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// `npm start` runs the compiled JavaScript that `npm run build` (and `npm ci`, through "prepare") writes to dist/.
describe('the production build', () => {
  let service: ChildProcess;
  let base: string;
  let port: number;
  let startArgs: string[];

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const [command, ...args] = (
      JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }
    ).scripts.start.split(' ');
    expect(command).toBe('node');
    startArgs = args;
    service = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' },
      stdio: 'inherit',
    });
  }, 120_000);

  afterAll(async () => {
    if (service.exitCode === null) {
      service.kill('SIGTERM');
      await once(service, 'exit');
    }
  });

  it('ends a second start on the same port at once, with one line naming the problem', async () => {
    expect((await answer(`${base}/healthz`, service)).status).toBe(200);
    const second = spawnSync(process.execPath, startArgs, {
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.status).toBe(2);
    expect(second.stderr.trim()).toMatch(/^call-guard could not start: .*EADDRINUSE/);
  }, 90_000);

  it('serves the console from the built layout, classifies with the model, and exits cleanly on SIGTERM', async () => {
    expect((await answer(`${base}/healthz`, service)).status).toBe(200);
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

    service.kill('SIGTERM');
    const [code] = (await once(service, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
