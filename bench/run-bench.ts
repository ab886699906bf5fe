import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixtureCalls } from '../fixtures/fixture-call.js';
import type { BenchOptions } from './bench-options.js';
import { corpusUtterances } from './corpus-utterances.js';
import { runClassifyLoad } from './http/classify-load.js';
import type { Progress } from './progress.js';
import type { BenchReport, HttpComparison, RedisStreamResults, StreamResults } from './report/bench-report.js';
import { machineInfo } from './report/machine-info.js';
import { modelInfo } from './report/model-info.js';
import { evaluateTargets } from './report/targets.js';
import type { ServiceSettings } from './service/service-process.js';
import type { Topology } from './service/with-service.js';
import { runStreamStep, type StreamStep } from './stream/stream-step.js';

const QUIET_LOAD_AVERAGE = 0.5;

/** Runs the HTTP comparison and the streaming steps as the options say, each against a fresh service. */
export async function runBench(options: BenchOptions, command: string, progress: Progress): Promise<BenchReport> {
  const started = performance.now();
  const machine = machineInfo();
  const model = modelInfo(options.modelDir);
  progress(`${machine.cpuModel} ×${machine.cores}, Node ${machine.node}; model ${model.dir} (sha256 ${model.sha256}…)`);
  if (machine.loadAverageAtStart > QUIET_LOAD_AVERAGE) {
    progress(
      `warning: load average ${machine.loadAverageAtStart.toFixed(2)} — something else is using the CPU; these figures will not be comparable`,
    );
  }
  // Profiles are large: they go to a temporary folder, named on the console, not next to the reports.
  const profileRoot = options.profile ? mkdtempSync(join(tmpdir(), 'call-guard-profiles-')) : undefined;
  if (profileRoot) progress(`CPU profiles of the service go to ${profileRoot} (open them in Chrome DevTools)`);
  const service = (
    name: string,
    batchMaxSize: number,
    batchMaxWaitMs: number,
    { record = true } = {},
  ): ServiceSettings => {
    // withDeployment makes the folder: one per instance under it.
    const cpuProfileDir = profileRoot ? join(profileRoot, name) : undefined;
    return {
      modelDir: options.modelDir,
      batchMaxSize,
      batchMaxWaitMs,
      inferenceThread: options.inferenceThread,
      record,
      ...(cpuProfileDir ? { cpuProfileDir } : {}),
    };
  };

  let http: HttpComparison | null = null;
  if (options.http) {
    progress(
      `HTTP hot path: POST /v1/classify, ${options.http.connections} connections, ${options.http.seconds} s per run`,
    );
    const utterances = corpusUtterances();
    const batched = await runClassifyLoad(
      'batched',
      service('http-batched', options.batchMaxSize, options.batchMaxWaitMs),
      options.http,
      utterances,
      progress,
    );
    const unbatched = await runClassifyLoad(
      'unbatched',
      service('http-unbatched', 1, 0),
      options.http,
      utterances,
      progress,
    );
    http = {
      batched,
      unbatched,
      throughputRatio: batched.utterancesPerSec / unbatched.utterancesPerSec,
      p99Ratio: batched.latencyMs.p99 / unbatched.latencyMs.p99,
    };
    progress(
      `  batched ${batched.utterancesPerSec.toFixed(0)} utterances/s (p99 ${batched.latencyMs.p99} ms), unbatched ${unbatched.utterancesPerSec.toFixed(0)} (p99 ${unbatched.latencyMs.p99} ms): ×${http.throughputRatio.toFixed(2)}`,
    );
  }

  let stream: StreamResults | null = null;
  if (options.stream) {
    const settings = options.stream;
    progress(
      `Streaming: steps of ${settings.steps.join(', ')} concurrent calls, ${settings.rampSeconds} s ramp + ${settings.seconds} s measured each, budget p99 ${settings.budgetMs} ms`,
    );
    const fixtures = loadFixtureCalls().map(({ call }) => call);
    const runSteps = async (topology: Topology): Promise<StreamStep[]> => {
      const steps: StreamStep[] = [];
      const where = topology.redis ? `, Redis, ${topology.instances} instances` : '';
      for (const calls of settings.steps) {
        const step = await runStreamStep(
          calls,
          service(`stream-${calls}${topology.redis ? '-redis' : ''}`, options.batchMaxSize, options.batchMaxWaitMs),
          topology,
          settings,
          fixtures,
          progress,
        );
        steps.push(step);
        const latency = step.finalToCueMs;
        progress(
          `  ${calls} calls${where}: final → cue p50 ${latency?.p50.toFixed(1) ?? '–'} ms, p99 ${latency?.p99.toFixed(1) ?? '–'} ms over ${latency?.count ?? 0} cues; ${step.lostCues} lost; ${step.withinBudget ? 'within' : 'OVER'} budget`,
        );
      }
      return steps;
    };
    const steps = await runSteps({ instances: 1, redis: false });
    let recordOff: StreamStep | null = null;
    const largest = steps.at(-1);
    if (settings.compareRecord && largest) {
      // The same step with the incident record off, to price the record (issue: within 10 % of p99).
      recordOff = await runStreamStep(
        largest.concurrentCalls,
        service(`stream-${largest.concurrentCalls}-record-off`, options.batchMaxSize, options.batchMaxWaitMs, {
          record: false,
        }),
        { instances: 1, redis: false },
        settings,
        fixtures,
        progress,
      );
      progress(
        `  ${largest.concurrentCalls} calls, record off: final → cue p99 ${recordOff.finalToCueMs?.p99.toFixed(1) ?? '–'} ms (record on: ${largest.finalToCueMs?.p99.toFixed(1) ?? '–'} ms)`,
      );
    }
    let redis: RedisStreamResults | null = null;
    if (settings.redisInstances !== null) {
      const instances = settings.redisInstances;
      const appendfsync = settings.redisAppendFsync;
      const redisSteps = await runSteps({ instances, redis: true, appendfsync });
      redis = { instances, appendfsync, steps: redisSteps, maxCallsWithinBudget: largestWithinBudget(redisSteps) };
    }
    stream = {
      budgetMs: settings.budgetMs,
      steps,
      maxCallsWithinBudget: largestWithinBudget(steps),
      recordOff,
      redis,
    };
  }

  return {
    generatedAt: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    settings: {
      model,
      batchMaxSize: options.batchMaxSize,
      batchMaxWaitMs: options.batchMaxWaitMs,
      inferenceThread: options.inferenceThread,
      http: options.http ?? null,
      stream: options.stream ?? null,
      profiled: options.profile,
      command,
    },
    http,
    stream,
    targets: evaluateTargets(http, stream),
  };
}

/** Steps in order of size until the first that misses: a capacity is not claimed above a failing step. */
function largestWithinBudget(steps: readonly StreamStep[]): number | null {
  let largest: number | null = null;
  for (const step of [...steps].sort((a, b) => a.concurrentCalls - b.concurrentCalls)) {
    if (!step.withinBudget) break;
    largest = step.concurrentCalls;
  }
  return largest;
}
