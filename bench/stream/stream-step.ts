import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FixtureCall } from '../../fixtures/fixture-call.js';
import { EVENT_LOOP_RESOLUTION_MS, lagBeyondResolutionMs } from '../event-loop-lag.js';
import type { LatencySummary } from '../latency-stats.js';
import type { ServiceCpuProfile } from '../profile/cpu-profile-summary.js';
import type { Progress } from '../progress.js';
import { processCpuMeter } from '../service/process-cpu.js';
import { ServiceMonitor, type ServerFigures } from '../service/service-monitor.js';
import type { ServiceSettings } from '../service/service-process.js';
import { withDeployment, type Topology } from '../service/with-service.js';
import { AgentDesk } from './agent-desk.js';
import { sleepUntil } from './sleep-until.js';
import { StreamRecorder } from './stream-recorder.js';

export interface StreamSettings {
  /** Measured seconds per step, after the ramp. */
  seconds: number;
  /** Calls start spread over this many seconds; latencies from the ramp are not counted. */
  rampSeconds: number;
  /** 1 = speech pace. */
  speed: number;
  budgetMs: number;
}

export interface StreamStep {
  concurrentCalls: number;
  /** Service instances; more than one share the calls through Redis. */
  instances: number;
  redis: boolean;
  seconds: number;
  callsCompleted: number;
  callsUnfinished: number;
  chunksSent: number;
  finalsSent: number;
  cues: number;
  lostCues: number;
  unclassifiedFinals: number;
  ingestErrors: Record<string, number>;
  /** Client side: final segment sent → cue received, ms. */
  finalToCueMs: LatencySummary | null;
  /** Client side: chunk sent → its labelled transcript event received, ms (partials include the service's debounce). */
  finalClassifyMs: LatencySummary | null;
  partialClassifyMs: LatencySummary | null;
  /** Each instance's own figures, in the order desks are spread over them. */
  servers: ServerFigures[];
  /** The redis-server's CPU over the window (100 = one core); null in memory. */
  redisCpuPercent: number | null;
  /** The load generator itself, to tell its limits from the service's. */
  generator: { cpuPercent: number; eventLoopLagP99Ms: number };
  withinBudget: boolean;
  /** Each instance's, in order; set only when the service was profiled. */
  cpuProfiles?: ServiceCpuProfile[];
}

const OPEN_AT_ONCE = 50;
const START_DELAY_MS = 200;
const PROGRESS_EVERY_MS = 5000;

/**
 * `concurrentCalls` agent desks against fresh instances, each replaying fixture calls back to back.
 * With several instances, desk i's producer is on instance i and its subscriber on the next one, so
 * every cue crosses instances.
 */
export async function runStreamStep(
  concurrentCalls: number,
  service: ServiceSettings,
  topology: Topology,
  settings: StreamSettings,
  fixtures: readonly FixtureCall[],
  progress: Progress,
): Promise<StreamStep> {
  return withDeployment(service, topology, async ({ services, redisPid }, window) => {
    const instance = (n: number) => services[n % services.length]!.ws;
    const recorder = new StreamRecorder();
    const desks: AgentDesk[] = [];
    let ticker: NodeJS.Timeout | undefined;
    try {
      progress(`  ${concurrentCalls} calls: opening ${2 * concurrentCalls} WebSockets`);
      for (let i = 0; i < concurrentCalls; i += OPEN_AT_ONCE) {
        const opening = Array.from({ length: Math.min(OPEN_AT_ONCE, concurrentCalls - i) }, (_, j) =>
          AgentDesk.open(instance(i + j), instance(i + j + 1), `bench-agent-${i + j}`, recorder),
        );
        desks.push(...(await Promise.all(opening)));
      }

      const startAt = performance.now() + START_DELAY_MS;
      const rampEnd = startAt + settings.rampSeconds * 1000;
      const stopAt = rampEnd + settings.seconds * 1000;
      recorder.measureFrom = rampEnd;
      const working = desks.map((desk, i) =>
        desk.work(fixtures, i, startAt + (i / concurrentCalls) * settings.rampSeconds * 1000, stopAt, settings.speed),
      );
      ticker = setInterval(() => {
        const left = Math.max(0, (stopAt - performance.now()) / 1000);
        progress(
          `  ${concurrentCalls} calls: ${left.toFixed(0)} s left, ${recorder.chunksSent} chunks sent, ${recorder.cues} cues received`,
        );
      }, PROGRESS_EVERY_MS);

      await sleepUntil(rampEnd);
      const monitors = await Promise.all(services.map((running) => ServiceMonitor.start(running.http)));
      const redisCpu = redisPid === null ? undefined : processCpuMeter(redisPid);
      const loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
      loopDelay.enable();
      const cpuBefore = process.cpuUsage();
      window.open();
      await sleepUntil(stopAt);
      window.close();
      const cpu = process.cpuUsage(cpuBefore);
      const redisCpuPercent = redisCpu?.percent() ?? null;
      loopDelay.disable();
      const servers = await Promise.all(monitors.map((monitor) => monitor.stop()));
      progress(`  ${concurrentCalls} calls: ending calls and waiting for their last cues`);
      await Promise.all(working);

      const latencies = recorder.latencies();
      const ingestErrorCount = Object.values(recorder.ingestErrors).reduce((sum, n) => sum + n, 0);
      return {
        concurrentCalls,
        ...topology,
        seconds: settings.seconds,
        callsCompleted: recorder.callsCompleted,
        callsUnfinished: recorder.callsUnfinished,
        chunksSent: recorder.chunksSent,
        finalsSent: recorder.finalsSent,
        cues: recorder.cues,
        lostCues: recorder.lostCues,
        unclassifiedFinals: recorder.unclassifiedFinals,
        ingestErrors: recorder.ingestErrors,
        ...latencies,
        servers,
        redisCpuPercent,
        generator: {
          cpuPercent: ((cpu.user + cpu.system) / 1000 / (settings.seconds * 1000)) * 100,
          eventLoopLagP99Ms: lagBeyondResolutionMs(loopDelay.percentile(99) / 1e6),
        },
        withinBudget:
          latencies.finalToCueMs !== null &&
          latencies.finalToCueMs.p99 <= settings.budgetMs &&
          recorder.lostCues === 0 &&
          recorder.callsUnfinished === 0 &&
          recorder.unclassifiedFinals === 0 &&
          ingestErrorCount === 0,
      };
    } finally {
      clearInterval(ticker);
      for (const desk of desks) desk.close();
    }
  });
}
