import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const missing = ['git', 'npm', 'setpriv'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
if (missing.length > 0) console.warn(`skipping the Docker steps replay: ${missing.join(', ')} not found`);

// No container engine runs on the development machines: the Dockerfile's steps are replayed in a temporary folder.
describe.skipIf(missing.length > 0)('the Dockerfile, replayed', () => {
  it('installs without a warning, builds the compiled service, ships only its runtime and one onnxruntime platform, and serves as an unprivileged user', () => {
    const replay = spawnSync(process.execPath, ['scripts/docker-steps.mjs'], { encoding: 'utf8', timeout: 560_000 });
    const summary = JSON.parse(replay.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(summary, replay.stderr.slice(-4000)).toMatchObject({
      passed: true,
      healthz: 200,
      healthcheck: 'passed',
      console: 200,
      consoleIsHtml: true,
      tsxShipped: false,
      typescriptShipped: false,
      onnxruntimePlatforms: [`${process.platform}/${process.arch}`],
      exitOnSigterm: 0,
      npmWarnings: [],
    });
    expect(summary.serviceUid).not.toBe(0);
  }, 600_000);
});
