import type { AppendFsync } from '../../test/helpers/redis.js';
import type { BenchOptions, StreamPlan } from '../bench-options.js';
import type { ClassifyLoadSettings, ClassifyRun } from '../http/classify-load.js';
import type { StreamStep } from '../stream/stream-step.js';
import type { MachineInfo } from './machine-info.js';
import type { ModelInfo } from './model-info.js';
import type { TargetResult } from './targets.js';

export interface HttpComparison {
  batched: ClassifyRun;
  unbatched: ClassifyRun;
  /** Batched utterances/s over unbatched. */
  throughputRatio: number;
  /** Batched p99 over unbatched p99. */
  p99Ratio: number;
}

export interface StreamResults {
  budgetMs: number;
  steps: StreamStep[];
  /** The largest step that, with every smaller one, kept final → cue p99 within budget with nothing lost. */
  maxCallsWithinBudget: number | null;
  /** The largest step run again with the incident record off (the steps run with it on, as the service's default). */
  recordOff: StreamStep | null;
  /** The same steps with several instances sharing calls through Redis (`--redis`); null when not run. */
  redis: RedisStreamResults | null;
}

export interface RedisStreamResults {
  instances: number;
  appendfsync: AppendFsync;
  steps: StreamStep[];
  maxCallsWithinBudget: number | null;
}

/** Everything one `npm run bench` measured, as written to bench-report.json. */
export interface BenchReport {
  generatedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  settings: Pick<BenchOptions, 'batchMaxSize' | 'batchMaxWaitMs' | 'inferenceThread'> & {
    model: ModelInfo;
    http: ClassifyLoadSettings | null;
    stream: StreamPlan | null;
    profiled: boolean;
    command: string;
  };
  http: HttpComparison | null;
  stream: StreamResults | null;
  targets: TargetResult[];
}
