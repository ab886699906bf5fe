import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { InferenceThread } from '../src/classifier/index.js';
import { loadConfig } from '../src/config.js';
import type { AppendFsync } from '../test/helpers/redis.js';
import type { ClassifyLoadSettings } from './http/classify-load.js';
import type { StreamSettings } from './stream/stream-step.js';

/** The streaming part: how long each step runs, at what pace and budget, and the concurrent calls of each step. */
export type StreamPlan = StreamSettings & {
  steps: number[];
  /** Run the largest step again with the incident record off, to price the record. */
  compareRecord: boolean;
  /** Run every step again with this many instances sharing calls through a Redis the bench starts; null: memory only. */
  redisInstances: number | null;
  redisAppendFsync: AppendFsync;
};

export interface BenchOptions {
  modelDir: string;
  outDir: string;
  /** The micro-batcher settings of the batched run (the unbatched run uses max batch 1). */
  batchMaxSize: number;
  batchMaxWaitMs: number;
  inferenceThread: InferenceThread;
  http: ClassifyLoadSettings | undefined;
  stream: StreamPlan | undefined;
  /** Record V8 CPU profiles of the service and break its time down by stage (slows it a little). */
  profile: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --model DIR             model folder (default: MODEL_DIR or models/use-lite-abuse)
  --out DIR               where the reports go (default: bench/results)
  --only http|stream      run one part only
  --batch-max-size N      micro-batcher max batch for the batched run (default: the service default)
  --batch-max-wait-ms N   micro-batcher max wait for the batched run (default: the service default)
  --inference-thread T    main or worker: where the service runs ONNX Runtime (default: the service default)
  --http-seconds N        measured seconds per HTTP run (default 10)
  --http-warmup-seconds N warm-up seconds before each HTTP run, 0 for none (default 3)
  --connections N         autocannon connections (default 32)
  --texts-per-request N   utterances in each POST /v1/classify body (default 1)
  --steps N,N,...         concurrent calls per streaming step (default 50,100,250,500,1000)
  --step-seconds N        measured seconds per streaming step (default 25)
  --ramp-seconds N        seconds over which a step's calls start, not measured (default 10)
  --speed X               replay speed, 1 = speech pace (default 1)
  --budget-ms N           final segment → cue p99 budget (default 25)
  --skip-record-off       do not run the largest step again with the incident record off (the steps run with it on)
  --redis                 run every step again on a redis-server the bench starts, beside the in-memory run
  --instances N           service instances sharing the calls in the --redis run (default 2)
  --redis-fsync P         the --redis run's appendfsync: everysec or always (default everysec)
  --profile               CPU-profile the service and report where its time goes`;

/** Reads the bench's command line; every option has a default that finishes in under 5 minutes on 2 cores. */
export function parseBenchOptions(args: string[], env: Record<string, string | undefined> = process.env): BenchOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
      only: { type: 'string' },
      'batch-max-size': { type: 'string' },
      'batch-max-wait-ms': { type: 'string' },
      'inference-thread': { type: 'string' },
      'http-seconds': { type: 'string', default: '10' },
      'http-warmup-seconds': { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      'texts-per-request': { type: 'string', default: '1' },
      steps: { type: 'string', default: '50,100,250,500,1000' },
      'step-seconds': { type: 'string', default: '25' },
      'ramp-seconds': { type: 'string', default: '10' },
      speed: { type: 'string', default: '1' },
      'budget-ms': { type: 'string', default: '25' },
      'skip-record-off': { type: 'boolean', default: false },
      redis: { type: 'boolean', default: false },
      instances: { type: 'string' },
      'redis-fsync': { type: 'string', default: 'everysec' },
      profile: { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && values.only !== 'http' && values.only !== 'stream')
    throw new Error(`--only: expected http or stream, got ${values.only}`);
  if (values.instances !== undefined && !values.redis)
    throw new Error('--instances: only with --redis (instances share calls through Redis)');
  const appendFsync = values['redis-fsync'];
  if (appendFsync !== 'everysec' && appendFsync !== 'always')
    throw new Error(`--redis-fsync: expected everysec or always, got ${appendFsync}`);
  const service = loadConfig({
    MODEL_DIR: values.model ?? env.MODEL_DIR,
    BATCH_MAX_SIZE: values['batch-max-size'],
    BATCH_MAX_WAIT_MS: values['batch-max-wait-ms'],
    INFERENCE_THREAD: values['inference-thread'] ?? env.INFERENCE_THREAD,
  });
  return {
    modelDir: resolve(service.modelDir),
    outDir: resolve(values.out),
    batchMaxSize: service.batchMaxSize,
    batchMaxWaitMs: service.batchMaxWaitMs,
    inferenceThread: service.inferenceThread,
    http:
      values.only === 'stream'
        ? undefined
        : {
            seconds: positive('--http-seconds', values['http-seconds']),
            warmupSeconds: positive('--http-warmup-seconds', values['http-warmup-seconds'], { orZero: true }),
            connections: positive('--connections', values.connections, { integer: true }),
            textsPerRequest: positive('--texts-per-request', values['texts-per-request'], { integer: true }),
            timeoutSeconds: 10,
          },
    stream:
      values.only === 'http'
        ? undefined
        : {
            steps: values.steps.split(',').map((step) => positive('--steps', step, { integer: true })),
            seconds: positive('--step-seconds', values['step-seconds']),
            rampSeconds: positive('--ramp-seconds', values['ramp-seconds']),
            speed: positive('--speed', values.speed),
            budgetMs: positive('--budget-ms', values['budget-ms']),
            compareRecord: !values['skip-record-off'],
            redisInstances: values.redis ? positive('--instances', values.instances ?? '2', { integer: true }) : null,
            redisAppendFsync: appendFsync,
          },
    profile: values.profile,
  };
}

function positive(option: string, raw: string, { integer = false, orZero = false } = {}): number {
  const value = Number(raw);
  if (!(value > 0 || (orZero && value === 0)) || (integer && !Number.isInteger(value))) {
    throw new Error(
      `${option}: expected a ${orZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got ${raw}`,
    );
  }
  return value;
}
