import autocannon from 'autocannon';
import { TOKENS } from '../../test/helpers/server.js';
import { pick } from '../../training/datasets/random.js';
import type { ServiceCpuProfile } from '../profile/cpu-profile-summary.js';
import type { Progress } from '../progress.js';
import { ServiceMonitor, type ServerFigures } from '../service/service-monitor.js';
import type { ServiceSettings } from '../service/service-process.js';
import { withService } from '../service/with-service.js';

export interface ClassifyLoadSettings {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  textsPerRequest: number;
  timeoutSeconds: number;
}

export interface ClassifyRun {
  name: string;
  batchMaxSize: number;
  batchMaxWaitMs: number;
  seconds: number;
  /** Answered with 200. */
  requests: number;
  requestsPerSec: number;
  utterancesPerSec: number;
  /** As autocannon saw them, ms. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  server: ServerFigures;
  /** Set only when the service was profiled (one instance). */
  cpuProfiles?: ServiceCpuProfile[];
}

/**
 * POST /v1/classify under autocannon against a fresh service with the given batch settings:
 * a warm-up run whose figures are dropped, then the measured run. Each request carries
 * `textsPerRequest` utterances drawn from `utterances`, so no two neighbouring bodies repeat.
 */
export async function runClassifyLoad(
  name: string,
  service: ServiceSettings,
  settings: ClassifyLoadSettings,
  utterances: readonly string[],
  progress: Progress,
): Promise<ClassifyRun> {
  return withService(service, async (running, window) => {
    let drawn = 0;
    const options: autocannon.Options = {
      url: `${running.http}/v1/classify`,
      connections: settings.connections,
      timeout: settings.timeoutSeconds,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.ingest}` },
          setupRequest: (request) => {
            const texts = Array.from({ length: settings.textsPerRequest }, () =>
              pick(utterances, `classify-${drawn++}`),
            );
            return { ...request, body: JSON.stringify({ texts }) };
          },
        },
      ],
    };
    if (settings.warmupSeconds > 0) {
      progress(`  ${name}: warming up for ${settings.warmupSeconds} s`);
      await cannon({ ...options, duration: settings.warmupSeconds }, () => undefined);
    }
    const monitor = await ServiceMonitor.start(running.http);
    window.open();
    const result = await cannon({ ...options, duration: settings.seconds }, (second, requests) =>
      progress(`  ${name}: ${second}/${settings.seconds} s, ${requests} requests/s`),
    );
    window.close();
    const server = await monitor.stop();
    const ok = result['2xx'];
    return {
      name,
      batchMaxSize: service.batchMaxSize,
      batchMaxWaitMs: service.batchMaxWaitMs,
      seconds: result.duration,
      requests: ok,
      requestsPerSec: ok / result.duration,
      utterancesPerSec: (ok * settings.textsPerRequest) / result.duration,
      latencyMs: {
        mean: result.latency.average,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      server,
    };
  });
}

/** One autocannon run; `onSecond` hears how many requests completed in each second. */
function cannon(
  options: autocannon.Options,
  onSecond: (second: number, requests: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    let second = 0;
    const instance = autocannon(options, (error: unknown, result) => (error ? reject(error) : resolve(result)));
    // autocannon ticks once more as it stops, with the partial second
    instance.on('tick', (tick?: { counter: number }) => {
      if (++second <= Number(options.duration)) onSecond(second, tick?.counter ?? 0);
    });
  });
}
