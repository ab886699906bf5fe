import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startRedis, type AppendFsync, type TestRedis } from '../../test/helpers/redis.js';
import { summarizeCpuProfiles, type ServiceCpuProfile } from '../profile/cpu-profile-summary.js';
import { startService, type RunningService, type ServiceSettings } from './service-process.js';

/** The measured part of a run, on the clock V8 CPU profiles use (monotonic microseconds). */
export class MeasuredWindow {
  fromUs = -Infinity;
  toUs = Infinity;

  open(): void {
    this.fromUs = monotonicMicros();
  }

  close(): void {
    this.toUs = monotonicMicros();
  }
}

const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/** How many instances a run starts, and whether they share calls through a redis-server it starts. */
export interface Topology {
  instances: number;
  redis: boolean;
  /** The redis-server's fsync policy; left out, startRedis's (everysec, as docs/deployment.md configures it). */
  appendfsync?: AppendFsync;
}

/** The service instances of a run and, when they share calls, the redis-server between them. */
interface Deployment {
  services: RunningService[];
  redisPid: number | null;
}

/**
 * Runs `measure` against instances of its own (with `redis`, sharing calls through a redis-server
 * started for the run, as docs/deployment.md configures it) and stops them afterwards, even on failure.
 * When the service is profiled, the result gains the breakdown of each instance's CPU time inside
 * the window (each instance profiles into a folder of its own under `cpuProfileDir`).
 */
export async function withDeployment<T extends object>(
  settings: ServiceSettings,
  topology: Topology,
  measure: (deployment: Deployment, window: MeasuredWindow) => Promise<T>,
): Promise<T & { cpuProfiles?: ServiceCpuProfile[] }> {
  const redis: TestRedis | undefined = topology.redis
    ? await startRedis({ appendfsync: topology.appendfsync })
    : undefined;
  const { cpuProfileDir: profileRoot } = settings;
  const profileDirs = profileRoot
    ? Array.from({ length: topology.instances }, (_, i) => join(profileRoot, `instance-${i + 1}`))
    : undefined;
  const started = await Promise.allSettled(
    Array.from({ length: topology.instances }, (_, i) => {
      const cpuProfileDir = profileDirs?.[i];
      if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
      return startService({
        ...settings,
        ...(redis ? { redisUrl: redis.url } : {}),
        ...(cpuProfileDir ? { cpuProfileDir } : {}),
      });
    }),
  );
  const services = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const window = new MeasuredWindow();
  let result: T;
  try {
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    result = await measure({ services, redisPid: redis?.pid ?? null }, window);
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await redis?.stop();
  }
  return profileDirs
    ? { ...result, cpuProfiles: profileDirs.map((dir) => summarizeCpuProfiles(dir, window.fromUs, window.toUs)) }
    : result;
}

/** One in-memory instance: `measure` against it. */
export const withService = <T extends object>(
  settings: ServiceSettings,
  measure: (service: RunningService, window: MeasuredWindow) => Promise<T>,
): Promise<T & { cpuProfiles?: ServiceCpuProfile[] }> =>
  withDeployment(settings, { instances: 1, redis: false }, ({ services }, window) => measure(services[0]!, window));
