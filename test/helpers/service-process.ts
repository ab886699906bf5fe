import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './ports.js';
import { TOKEN_CONFIG } from './server.js';

export interface ServiceProcess {
  /** host:port */
  base: string;
  process: ChildProcess;
  /** kill -9: no drain, no goodbye. */
  kill(): Promise<void>;
}

/**
 * The service in a process of its own, ready to serve, with the test tokens; `env` adds settings.
 * `entry` is src/main.ts (the committed model) or test/helpers/keyword-service.ts (the keyword classifier).
 */
export async function startServiceProcess(env: Record<string, string>, entry = 'src/main.ts'): Promise<ServiceProcess> {
  const port = await freePort();
  const service = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      AUTH_TOKENS: TOKEN_CONFIG,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `127.0.0.1:${port}`;
  const kill = async (): Promise<void> => {
    if (service.exitCode !== null || service.signalCode !== null) return;
    const exited = once(service, 'exit');
    service.kill('SIGKILL');
    await exited;
  };
  for (;;) {
    if (service.exitCode !== null) throw new Error(`the service exited with ${service.exitCode}`);
    const ready = await fetch(`http://${base}/readyz`).catch(() => undefined);
    if (ready?.status === 200) return { base, process: service, kill };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
