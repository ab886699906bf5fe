import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile this reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface CpuBreakdown {
  /** Sampled time inside the window, ms; busy leaves out idle. */
  sampledMs: number;
  busyMs: number;
  /** Share of busy time by stage, largest first. */
  stages: Array<{ stage: string; ms: number; percent: number }>;
  /** The longest run of busy samples with no idle one between (the nearest a profile gets to a stall), and its stages. */
  longestBusy: { ms: number; stages: Array<{ stage: string; ms: number }> };
}

/** Where a frame's own time goes, first match wins; frames without a source file take their caller's. */
const STAGES: Array<[stage: string, match: RegExp]> = [
  ['inference (ONNX Runtime)', /onnxruntime-node|src\/classifier\/inference-worker/],
  ['tokenisation', /src\/classifier\/(tokenizer|normalize)/],
  ['evidence spans', /src\/classifier\/evidence/],
  ['batching, verdicts and hand-off to the worker', /src\/classifier\//],
  ['serialisation and validation', /fast-json-stringify|ajv|@sinclair\/typebox|secure-json-parse|src\/protocol\//],
  ['ladder, calls and cues', /src\/(ladder|calls|cues|transcript|adapters)\//],
  ['shared state and fan-out (stores, Redis client)', /ioredis|src\/(state|fanout)\//],
  ['WebSocket framing', /node_modules\/ws\//],
  ['HTTP and routing', /fastify|find-my-way|avvio|pino|src\/(routes|auth)\//],
  ['socket I/O', /^node:(net|internal\/stream_base_commons)$/],
  ['Node internals (timers, streams, events)', /^node:/],
  ['metrics', /prom-client|src\/metrics/],
];
const JSON_BUILTINS = new Set(['stringify', 'parse']);

function stageOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle';
  if (url === '' && JSON_BUILTINS.has(functionName)) return 'serialisation and validation';
  return STAGES.find(([, match]) => match.test(url))?.[0] ?? 'other';
}

/** Node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread (tsx adds loader threads). */
const PROFILE_FILE = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/;
const INFERENCE_WORKER = 'src/classifier/inference-worker';

/** The service's two busy threads: the event loop, and the worker that runs ONNX Runtime. */
export interface ServiceCpuProfile {
  mainThread: CpuBreakdown;
  inferenceWorker: CpuBreakdown | null;
}

/**
 * Self time by stage on the main thread and on the inference worker, from the .cpuprofile files in
 * `dir`, counting only samples taken inside [fromUs, toUs] on the profile's clock (CLOCK_MONOTONIC
 * on Linux, as process.hrtime).
 */
export function summarizeCpuProfiles(dir: string, fromUs = -Infinity, toUs = Infinity): ServiceCpuProfile {
  let mainThread: CpuBreakdown | null = null;
  let inferenceWorker: CpuBreakdown | null = null;
  for (const file of readdirSync(dir)) {
    const thread = PROFILE_FILE.exec(file)?.[1];
    if (thread === undefined) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    if (thread === '0') mainThread = summarizeProfile(JSON.parse(text) as CpuProfile, fromUs, toUs);
    else if (text.includes(INFERENCE_WORKER))
      inferenceWorker = summarizeProfile(JSON.parse(text) as CpuProfile, fromUs, toUs);
  }
  if (!mainThread) throw new Error(`no main-thread CPU profile in ${dir}`);
  return { mainThread, inferenceWorker };
}

function summarizeProfile(profile: CpuProfile, fromUs: number, toUs: number): CpuBreakdown {
  const byStage = new Map<string, number>();
  const stageOfNode = nodeStages(profile);
  let run = { ms: 0, stages: new Map<string, number>() };
  let longest = run;
  let at = profile.startTime;
  profile.samples.forEach((nodeId, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromUs || at > toUs) return;
    const stage = stageOfNode.get(nodeId) ?? 'other';
    byStage.set(stage, (byStage.get(stage) ?? 0) + delta / 1000);
    if (stage === 'idle') run = { ms: 0, stages: new Map() };
    else {
      run.ms += delta / 1000;
      run.stages.set(stage, (run.stages.get(stage) ?? 0) + delta / 1000);
      if (run.ms > longest.ms) longest = run;
    }
  });
  const sampledMs = [...byStage.values()].reduce((sum, ms) => sum + ms, 0);
  const busyMs = sampledMs - (byStage.get('idle') ?? 0);
  const stages = [...byStage.entries()]
    .filter(([stage]) => stage !== 'idle')
    .map(([stage, ms]) => ({ stage, ms, percent: busyMs > 0 ? (ms / busyMs) * 100 : 0 }))
    .sort((a, b) => b.ms - a.ms);
  const longestBusy = {
    ms: longest.ms,
    stages: [...longest.stages.entries()].map(([stage, ms]) => ({ stage, ms })).sort((a, b) => b.ms - a.ms),
  };
  return { sampledMs, busyMs, stages, longestBusy };
}

/** Each node's stage, walking from the root so nodes without a source file inherit their caller's. */
function nodeStages(profile: CpuProfile): Map<number, string> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const stages = new Map<number, string>();
  const walk = (id: number, inheritedUrl: string): void => {
    const node = nodes.get(id)!;
    const { functionName, url } = node.callFrame;
    stages.set(id, stageOf(functionName, url === '' && !JSON_BUILTINS.has(functionName) ? inheritedUrl : url));
    for (const child of node.children ?? []) walk(child, url || inheritedUrl);
  };
  for (const node of profile.nodes) if (!childIds.has(node.id)) walk(node.id, '');
  return stages;
}
