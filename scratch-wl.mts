// Scratch (not committed): dev threat calls missed or alerted on the wrong line at the served policy, with customer threat scores.
import { loadClassifier } from './src/classifier/index.js';
import { DEFAULT_POLICY } from './src/ladder/policy.js';
import { readCall } from './training/call-replay.js';
import { loadEvalCalls } from './training/call-eval-set.js';
import { ThresholdReplay } from './training/threshold-replay.js';
const calls = loadEvalCalls('training/dev-calls/calls');
const classifier = await loadClassifier({ modelDir: process.argv[2] ?? 'models/use-lite-abuse' });
for (const call of calls) {
  const us = await readCall(call, (chunk, _, context) => classifier.classify(chunk.text, 'final', chunk.speaker, context));
  const s = new ThresholdReplay(call, us, DEFAULT_POLICY).scoreAt(DEFAULT_POLICY.thresholds);
  if (s.alert === 'right' ) continue;
  console.log(s.alert, call.id, 'alertLine', call.alertLine, 'alerted', s.alertedLine);
  us.forEach((u, i) => { if (u.speaker === 'customer') console.log(' ', i, 'thr', u.verdict.scores.threat, 'alone', u.verdict.threatAlone, u.verdict.label, u.text.slice(0, 110)); });
}
await classifier.close();
process.exit(0);
