/**
 * The blind call-level evaluation (training/eval-calls/README.md): starts the real service on an
 * ephemeral port with a model, streams every scripted call in over WebSocket ingest (partials,
 * then finals, both speakers, sped-up speech pace) with a subscriber per call, and scores the cues
 * and line labels the subscriber receives against what a supervisor expects.
 *   npm run eval:calls -- --help
 */
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { classifierDefaults, loadClassifier } from '../src/classifier/index.js';
import { failure, parseCommandLine, usageError } from '../src/cli/command-line.js';
import { loadConfig } from '../src/config.js';
import { BUILT_IN_POLICY, loadPolicy, type Policy } from '../src/ladder/policy.js';
import { CUE_TYPES } from '../src/protocol/cue.js';
import { buildServer } from '../src/server.js';
import { formatCallReport } from './call-eval-report.js';
import { scoreCall, summarise, type ObservedCall } from './call-eval-score.js';
import { EVAL_CALLS_DIR, loadEvalCalls, type EvalCall } from './call-eval-set.js';
import { streamCall, type StreamOptions, type StreamTarget } from './call-eval-stream.js';

const TOKENS = { ingest: 'eval-calls-ingest-token', subscribe: 'eval-calls-subscribe-token' };

const PROGRAM = 'npm run eval:calls';
const USAGE = `usage: npm run eval:calls -- [--model DIR] [--policy FILE] [--calls DIR] [--out FILE] [--json FILE] [--speed 20] [--concurrency 4]

Starts the service with the model, streams every scripted call of the blind call-level set in over
WebSocket ingest with a subscriber per call, and scores the cues and line labels it receives.

  --model DIR         model folder (default models/use-lite-abuse)
  --policy FILE       ladder policy (default: POLICY_FILE if set, else ${BUILT_IN_POLICY})
  --calls DIR         the scripted calls (default ${EVAL_CALLS_DIR})
  --out FILE          write the report as Markdown
  --json FILE         write the summary as JSON
  --speed N           times speech pace (default 20)
  --concurrency N     calls streamed at once (default 4)`;

const { values } = parseCommandLine(PROGRAM, USAGE, {
  model: { type: 'string', default: classifierDefaults.modelDir },
  policy: { type: 'string' },
  calls: { type: 'string', default: EVAL_CALLS_DIR },
  out: { type: 'string' },
  json: { type: 'string' },
  speed: { type: 'string', default: '20' },
  concurrency: { type: 'string', default: '4' },
});

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    usageError(PROGRAM, `--${name} must be a positive number, not ${JSON.stringify(raw)}`);
  return value;
}

/** Runs `work` over the items with at most `limit` at once; results keep the items' order. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const calls: EvalCall[] = loadEvalCalls(values.calls);
const streamOptions: StreamOptions = { speed: positive('speed', values.speed), endTimeoutMs: 30_000 };
const concurrency = Math.floor(positive('concurrency', values.concurrency));

// The service's settings are fixed below, so the policy (which decides the cues) is read here: a
// POLICY_FILE in the environment would otherwise be ignored without a word.
const policyFile = values.policy ?? process.env.POLICY_FILE;
const policyName = policyFile ?? BUILT_IN_POLICY;
let policy: Policy;
try {
  policy = loadPolicy(policyFile);
} catch (error) {
  failure(PROGRAM, (error as Error).message);
}

const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  MODEL_DIR: values.model,
  RECORD: 'off',
  AUTH_TOKENS: JSON.stringify([
    { token: TOKENS.ingest, tenant: 'eval', scopes: ['ingest'] },
    { token: TOKENS.subscribe, tenant: 'eval', scopes: ['subscribe'] },
  ]),
});
const classifier = await loadClassifier(config);
const app = await buildServer({ config, classifier, policy });
let observed: ObservedCall[];
try {
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  const target: StreamTarget = {
    ws: `ws://127.0.0.1:${port}`,
    ingestToken: TOKENS.ingest,
    subscribeToken: TOKENS.subscribe,
  };
  const runId = Date.now().toString(36);
  observed = await pooled(calls, concurrency, (call) => streamCall(target, call, `${call.id}-${runId}`, streamOptions));
} finally {
  await app.close();
  await classifier.close();
}

const scores = calls.map((call, i) => scoreCall(call, observed[i]!));
const summary = summarise(calls, observed, scores);
const declared = new Set<string>(CUE_TYPES);
const undeclaredCues = [...new Set(calls.flatMap((call) => [...call.mustCues, ...call.mustNotCues]))].filter(
  (type) => !declared.has(type),
);
const report = formatCallReport(summary, { model: values.model, policy: policyName, undeclaredCues });

process.stdout.write(report);
if (values.out) writeFileSync(values.out, report);
// Per call, the score and the label (and act) the service gave each turn, for reading the misses.
const perCall = scores.map((score, i) => ({
  ...score,
  lines: calls[i]!.turns.map((_, t) => observed[i]!.lines[t] ?? null),
}));
if (values.json)
  writeFileSync(
    values.json,
    JSON.stringify({ model: values.model, policy: policyName, summary, calls: perCall }, null, 2) + '\n',
  );
