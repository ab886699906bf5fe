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

/**
 * Runs `measure` against a service of its own and stops the service afterwards, even on failure.
 * When the service is profiled, the result gains the breakdown of its CPU time inside the window.
 */
export async function withService<T extends object>(
  settings: ServiceSettings,
  measure: (service: RunningService, window: MeasuredWindow) => Promise<T>,
): Promise<T & { cpuProfile?: ServiceCpuProfile }> {
  const service = await startService(settings);
  const window = new MeasuredWindow();
  let result: T;
  try {
    result = await measure(service, window);
  } finally {
    await service.stop();
  }
  return settings.cpuProfileDir
    ? { ...result, cpuProfile: summarizeCpuProfiles(settings.cpuProfileDir, window.fromUs, window.toUs) }
    : result;
}
