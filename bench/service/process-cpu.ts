import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc counts CPU time in ticks of 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, every thread) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Measures another process's CPU over a window: start, then `percent()` at its end (100 = one core). */
export function processCpuMeter(pid: number): { percent(): number } {
  const fromSeconds = cpuSeconds(pid);
  const fromMs = performance.now();
  return {
    percent: () => ((cpuSeconds(pid) - fromSeconds) / ((performance.now() - fromMs) / 1000)) * 100,
  };
}
