import { renderTable } from '../../training/metrics-report.js';
import type { ClassifyRun } from '../http/classify-load.js';
import type { LatencySummary } from '../latency-stats.js';
import type { ServiceCpuProfile } from '../profile/cpu-profile-summary.js';
import type { StreamStep } from '../stream/stream-step.js';
import type { HistogramFigures } from '../service/service-metrics.js';
import type { BenchReport } from './bench-report.js';

export const PLOT_FILE = 'stream-latency.svg';

const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : value.toFixed(1);
const whole = (value: number): string => value.toFixed(0);
const verdict = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : '**missed**');
const pair = (summary: LatencySummary | null): string => (summary ? `${ms(summary.p50)} / ${ms(summary.p99)}` : '–');

function httpTable(runs: readonly ClassifyRun[]): string {
  return renderTable(
    [
      'run',
      'max batch',
      'max wait ms',
      'requests/s',
      'utterances/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'errors',
      'timeouts',
      'non-2xx',
      'mean batch',
      'service CPU %',
      'RSS peak MiB',
    ],
    runs.map((run) => [
      run.name,
      String(run.batchMaxSize),
      String(run.batchMaxWaitMs),
      whole(run.requestsPerSec),
      whole(run.utterancesPerSec),
      ms(run.latencyMs.p50),
      ms(run.latencyMs.p90),
      ms(run.latencyMs.p99),
      ms(run.latencyMs.max),
      String(run.errors),
      String(run.timeouts),
      String(run.non2xx),
      run.server.batchSizeMean.toFixed(1),
      whole(run.server.cpuPercent),
      whole(run.server.rssPeakMb),
    ]),
    'markdown',
  );
}

function streamTable(steps: readonly StreamStep[], callsLabel = (calls: number) => String(calls)): string {
  return renderTable(
    [
      'calls',
      'calls done',
      'chunks',
      'finals',
      'cues',
      'final → cue p50 / p99 / max ms',
      'final classified p50 / p99 ms',
      'partial classified p50 / p99 ms',
      'mean batch',
      'service CPU % (each instance)',
      'RSS peak MiB',
      'Redis CPU %',
      'generator CPU %',
      'generator loop lag p99 ms',
      'lost',
      'within budget',
    ],
    steps.map((step) => [
      callsLabel(step.concurrentCalls),
      String(step.callsCompleted),
      String(step.chunksSent),
      String(step.finalsSent),
      String(step.cues),
      step.finalToCueMs
        ? `${ms(step.finalToCueMs.p50)} / ${ms(step.finalToCueMs.p99)} / ${ms(step.finalToCueMs.max)}`
        : '–',
      pair(step.finalClassifyMs),
      pair(step.partialClassifyMs),
      step.servers.map((server) => server.batchSizeMean.toFixed(1)).join(' / '),
      step.servers.map((server) => whole(server.cpuPercent)).join(' + '),
      step.servers.map((server) => whole(server.rssPeakMb)).join(' / '),
      step.redisCpuPercent === null ? '–' : whole(step.redisCpuPercent),
      whole(step.generator.cpuPercent),
      ms(step.generator.eventLoopLagP99Ms),
      String(
        step.lostCues +
          step.unclassifiedFinals +
          step.callsUnfinished +
          Object.values(step.ingestErrors).reduce((a, b) => a + b, 0),
      ),
      step.withinBudget ? 'yes' : '**no**',
    ]),
    'markdown',
  );
}

/** Service-side split of a final's classification: waiting for a batch vs the batch's run (tokenise, infer, evidence). */
function stagesTable(report: BenchReport): string {
  // The texts a phase classifies: POST /v1/classify's are bulk, a stream's are finals.
  const phases: Array<[string, ClassifyRun['server'], number | undefined, HistogramFigures]> = [
    ...(report.http
      ? [report.http.batched, report.http.unbatched].map(
          (run): [string, ClassifyRun['server'], number, HistogramFigures] => [
            `HTTP ${run.name}`,
            run.server,
            run.latencyMs.mean,
            run.server.classifyBulkMs,
          ],
        )
      : []),
    ...[...(report.stream?.steps ?? []), ...(report.stream?.redis?.steps ?? [])].flatMap((step) =>
      step.servers.map((server, n): [string, ClassifyRun['server'], number | undefined, HistogramFigures] => [
        `stream ${step.concurrentCalls} calls${step.redis ? `, Redis, instance ${n + 1} of ${step.instances}` : ''}`,
        server,
        step.finalToCueMs?.mean,
        server.classifyFinalMs,
      ]),
    ),
  ];
  return renderTable(
    [
      'phase',
      'client mean ms (HTTP: request; stream: final → cue)',
      'service classify mean ms',
      'batch run mean ms',
      'queueing ≈ ms',
      'mean batch',
      'service final → cue mean ms',
      'service final → cue p99 ≤ ms',
      'service loop lag p99 / max ms',
    ],
    phases.map(([name, server, clientMean, classify]) => [
      name,
      ms(clientMean),
      ms(classify.mean),
      ms(server.batchRunMeanMs),
      ms(Math.max(0, classify.mean - server.batchRunMeanMs)),
      server.batchSizeMean.toFixed(1),
      server.finalToCueMs.count > 0 ? ms(server.finalToCueMs.mean) : '–',
      server.finalToCueMs.count > 0 ? ms(server.finalToCueMs.p99AtMost) : '–',
      `${ms(server.eventLoopLagP99Ms)} / ${ms(server.eventLoopLagMaxMs)}`,
    ]),
    'markdown',
  );
}

function profileTables(report: BenchReport): string[] {
  const profiled: Array<[string, ServiceCpuProfile]> = [
    ...(report.http ? [report.http.batched, report.http.unbatched] : []).flatMap(
      (run): Array<[string, ServiceCpuProfile]> =>
        (run.cpuProfiles ?? []).map((profile) => [`HTTP ${run.name}`, profile]),
    ),
    ...[...(report.stream?.steps ?? []), ...(report.stream?.redis?.steps ?? [])].flatMap(
      (step): Array<[string, ServiceCpuProfile]> =>
        (step.cpuProfiles ?? []).map((profile, n) => [
          `stream ${step.concurrentCalls} calls${step.redis ? `, Redis, instance ${n + 1} of ${step.instances}` : ''}`,
          profile,
        ]),
    ),
  ];
  return profiled.flatMap(([name, { mainThread, inferenceWorker }]) => {
    const threads = [
      ['main thread', mainThread] as const,
      ...(inferenceWorker ? [['inference worker', inferenceWorker] as const] : []),
    ];
    const stages = [...new Set(threads.flatMap(([, breakdown]) => breakdown.stages.map((s) => s.stage)))];
    const busiest = (stage: string) =>
      Math.max(...threads.map(([, breakdown]) => breakdown.stages.find((s) => s.stage === stage)?.ms ?? 0));
    stages.sort((a, b) => busiest(b) - busiest(a));
    return [
      `**${name}**: ${threads.map(([thread, breakdown]) => `${thread} ${whole(breakdown.busyMs)} ms busy of ${whole(breakdown.sampledMs)} ms sampled`).join('; ')}. Longest busy stretch of the main thread: ${whole(mainThread.longestBusy.ms)} ms (${mainThread.longestBusy.stages
        .slice(0, 3)
        .map(({ stage, ms }) => `${stage} ${whole(ms)} ms`)
        .join(', ')}).`,
      '',
      renderTable(
        ['stage', ...threads.flatMap(([thread]) => [`${thread} ms`, '% of busy'])],
        stages.map((stage) => [
          stage,
          ...threads.flatMap(([, breakdown]) => {
            const found = breakdown.stages.find((s) => s.stage === stage);
            return found ? [whole(found.ms), found.percent.toFixed(1)] : ['–', '–'];
          }),
        ]),
        'markdown',
      ),
      '',
    ];
  });
}

export function markdownReport(report: BenchReport): string {
  const { machine, settings } = report;
  const lines = [
    '# call-guard benchmark',
    '',
    `Generated ${report.generatedAt} in ${whole(report.durationSeconds)} s by \`${settings.command}\`.`,
    '',
    '## Machine',
    '',
    renderTable(
      ['CPU', 'cores', 'memory GiB', 'OS', 'Node', 'onnxruntime-node', 'load average at start'],
      [
        [
          machine.cpuModel,
          String(machine.cores),
          String(machine.memoryGiB),
          machine.os,
          machine.node,
          machine.onnxruntimeNode,
          machine.loadAverageAtStart.toFixed(2),
        ],
      ],
      'markdown',
    ),
    '',
    `Model: \`${settings.model.dir}/model.onnx\`, ${(settings.model.bytes / 2 ** 20).toFixed(1)} MiB, sha256 ${settings.model.sha256}…, modified ${settings.model.modifiedAt}.`,
    `Micro-batcher of the batched run: max batch ${settings.batchMaxSize}, max wait ${settings.batchMaxWaitMs} ms. ONNX Runtime runs on the service's ${settings.inferenceThread === 'worker' ? 'inference worker thread' : 'main thread'} (\`INFERENCE_THREAD=${settings.inferenceThread}\`).`,
    '',
    '## Targets',
    '',
    renderTable(
      ['target', 'measured', 'verdict', 'margin'],
      report.targets.map((t) => [t.target, t.measured, verdict(t.met), t.margin]),
      'markdown',
    ),
    '',
  ];
  if (report.http && settings.http) {
    const http = settings.http;
    lines.push(
      '## HTTP hot path: `POST /v1/classify`',
      '',
      `autocannon, ${http.connections} connections, ${http.textsPerRequest} corpus utterance(s) per request drawn from \`training/corpus\`, ${http.warmupSeconds} s warm-up then ${http.seconds} s measured, ${http.timeoutSeconds} s timeout; a fresh service per run.`,
      '',
      httpTable([report.http.batched, report.http.unbatched]),
      '',
      `Batching gives **${report.http.throughputRatio.toFixed(2)}×** the unbatched throughput; its p99 is ${report.http.p99Ratio.toFixed(2)}× the unbatched p99.`,
      '',
    );
  }
  if (report.stream && settings.stream) {
    const stream = settings.stream;
    const capacity = report.stream.maxCallsWithinBudget;
    lines.push(
      '## Streaming: concurrent calls',
      '',
      `Each call is an agent desk: an ingest WebSocket replaying the fixture calls (\`fixtures/calls\`) back to back at ${stream.speed === 1 ? 'speech pace' : `${stream.speed}× speech pace`}, partials then finals, both speakers, and a subscriber WebSocket for the agent (cues and labelled transcript). Calls start over ${stream.rampSeconds} s, then ${stream.seconds} s are measured; a fresh service per step. Latencies are measured by the client: from sending a chunk to receiving its cue or labelled transcript event. Partial classification includes the service's partial debounce. "Lost" counts cues missing from a call's gap-free sequence, finals never classified, unfinished calls and ingest errors.`,
      '',
      streamTable(report.stream.steps),
      '',
      capacity === null
        ? `**No step kept final → cue p99 within ${report.stream.budgetMs} ms with nothing lost.**`
        : `**Largest step within the ${report.stream.budgetMs} ms p99 budget with nothing lost: ${capacity} concurrent calls.**`,
      '',
      `![final segment → cue latency against concurrent calls](${PLOT_FILE})`,
      '',
    );
    const redis = report.stream.redis;
    if (redis) {
      lines.push(
        `### The same steps on Redis, ${redis.instances} instances`,
        '',
        `Each step again with ${redis.instances} service instances sharing the calls through a redis-server the bench starts (append-only file, ${redis.appendfsync === 'always' ? 'fsync on every write' : 'fsync every second, as docs/deployment.md asks'}) on this machine. Agent desk i sends its call to instance i and subscribes on the next instance, so every cue crosses instances through Redis. Service CPU is each instance's; Redis CPU is the redis-server process's, from /proc.`,
        '',
        streamTable(redis.steps, (calls) => `${calls}, Redis ×${redis.instances}`),
        '',
        redis.maxCallsWithinBudget === null
          ? `**No Redis step kept final → cue p99 within ${report.stream.budgetMs} ms with nothing lost.**`
          : `**Largest Redis step within the ${report.stream.budgetMs} ms p99 budget with nothing lost: ${redis.maxCallsWithinBudget} concurrent calls.**`,
        '',
      );
    }
    const off = report.stream.recordOff;
    if (off) {
      lines.push(
        'Every step runs with the incident record on (SQLite, the default). The largest step ran again with it off, to price it:',
        '',
        streamTable([off], (calls) => `${calls}, record off`),
        '',
      );
    }
  }
  lines.push(
    '## Where the time goes',
    '',
    `Service side, from its own metrics over each measured window: a final's classification is its wait for a batch (queueing) plus the run of the batch (inference, evidence spans; texts are tokenised when they arrive); the rest of the client-measured time is parsing, validation, serialisation and the network hops. ${
      report.settings.inferenceThread === 'worker'
        ? 'Inference runs on a worker thread, so the event loop keeps serving sockets during a batch; the loop lag (how late timers ran, worst 5 s sample) shows the stalls that remain.'
        : "Inference runs on the service's event loop, so a long batch delays everything behind it: the loop lag (how late timers ran, worst 5 s sample) shows those stalls."
    }`,
    '',
    stagesTable(report),
    '',
  );
  if (settings.profiled) {
    lines.push(
      'CPU profile of the service (`--profile`), self time by stage inside each measured window:',
      '',
      ...profileTables(report),
    );
  } else {
    lines.push(
      "Run with `--profile` for the service's CPU time by stage (tokenisation, inference, serialisation, …).",
      '',
    );
  }
  return lines.join('\n');
}
