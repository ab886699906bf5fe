/** prom-client's sampling interval for the service's event-loop delay, used by the load generator too. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

/** monitorEventLoopDelay reports the whole interval between its timer's runs: the lag is what exceeds the resolution. */
export const lagBeyondResolutionMs = (delayMs: number): number => Math.max(0, delayMs - EVENT_LOOP_RESOLUTION_MS);
