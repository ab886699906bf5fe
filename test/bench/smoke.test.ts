import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../bench/report/bench-report.js';
import { REPORT_FILES } from '../../bench/report/write-reports.js';
import { REDIS_MISSING } from '../helpers/redis.js';

const run = promisify(execFile);
const tsx = (script: string, args: string[]) =>
  run(process.execPath, ['--import', 'tsx', script, ...args], { timeout: 170_000 });

// Proves the bench scripts still run end to end, with a load too small to mean anything: no timings are asserted.
describe('bench smoke run', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'call-guard-bench-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('npm run bench measures both parts, in memory and on Redis, and writes the JSON, Markdown and SVG reports', async () => {
    await tsx('bench/bench.ts', [
      ...['--out', outDir, '--http-seconds', '1', '--http-warmup-seconds', '0', '--connections', '4'],
      ...['--steps', '6', '--step-seconds', '3', '--ramp-seconds', '1', '--speed', '8'],
      ...(REDIS_MISSING ? [] : ['--redis', '--instances', '2']),
    ]);
    const report = JSON.parse(readFileSync(join(outDir, REPORT_FILES.json), 'utf8')) as BenchReport;

    for (const run of [report.http!.batched, report.http!.unbatched]) {
      expect(run.requests).toBeGreaterThan(0);
      expect(run.errors + run.timeouts + run.non2xx).toBe(0);
      expect(run.server.batches).toBeGreaterThan(0);
      // POST /v1/classify's texts are classified as bulk: the report's split of their time reads those.
      expect(run.server.classifyBulkMs.count).toBeGreaterThan(0);
    }
    expect(report.http!.unbatched.server.batchSizeMean).toBe(1);

    const [step] = report.stream!.steps;
    expect(step!.concurrentCalls).toBe(6);
    expect(step!.chunksSent).toBeGreaterThan(0);
    expect(step!.finalClassifyMs!.count).toBeGreaterThan(0);
    expect(step!.cues).toBeGreaterThan(0);
    expect(step!.finalToCueMs!.count).toBeGreaterThan(0);
    expect({
      lost: step!.lostCues,
      unclassified: step!.unclassifiedFinals,
      unfinished: step!.callsUnfinished,
      errors: step!.ingestErrors,
    }).toEqual({
      lost: 0,
      unclassified: 0,
      unfinished: 0,
      errors: {},
    });
    expect(report.targets).toHaveLength(5);
    // The largest step ran again with the incident record off, to price the record.
    expect(report.stream!.recordOff).toMatchObject({ concurrentCalls: 6, lostCues: 0, unclassifiedFinals: 0 });
    expect(report.stream!.recordOff!.finalToCueMs!.count).toBeGreaterThan(0);

    // The same step with two instances sharing calls through Redis: CPU of each instance and of Redis.
    if (!REDIS_MISSING) {
      const [shared] = report.stream!.redis!.steps;
      expect(shared).toMatchObject({ concurrentCalls: 6, instances: 2, redis: true, lostCues: 0, callsUnfinished: 0 });
      expect(shared!.finalToCueMs!.count).toBeGreaterThan(0);
      expect(shared!.servers).toHaveLength(2);
      expect(shared!.redisCpuPercent).toBeGreaterThan(0);
    }

    expect(readFileSync(join(outDir, REPORT_FILES.markdown), 'utf8')).toContain('## Streaming: concurrent calls');
    expect(readFileSync(join(outDir, REPORT_FILES.plot), 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  }, 180_000);

  it('the raw classifier throughput script runs', async () => {
    const { stdout } = await tsx('bench/classifier-throughput.ts', [
      '--seconds',
      '0.2',
      '--threads',
      '1',
      '--batches',
      '1,8',
    ]);
    expect(stdout).toMatch(/batch {2}8: +\d+ utterances\/s/);
  });
});
