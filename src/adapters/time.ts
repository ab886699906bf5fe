/** Provider times in seconds (floating point) to whole milliseconds. */
export const secondsToMs = (seconds: number): number => Math.max(0, Math.round(seconds * 1000));

/**
 * A protobuf Duration to whole milliseconds, in each JSON form it arrives in: the proto3 JSON
 * string ("3.5s"), or the object the Node client hands over ({seconds: "3", nanos: 500000000},
 * seconds as a number or a string). Undefined if malformed.
 */
export function durationToMs(duration: unknown): number | undefined {
  if (typeof duration === 'string') {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(duration);
    return match?.[1] === undefined ? undefined : secondsToMs(Number(match[1]));
  }
  if (typeof duration !== 'object' || duration === null) return undefined;
  const { seconds = 0, nanos = 0 } = duration as { seconds?: unknown; nanos?: unknown };
  const wholeSeconds = typeof seconds === 'string' && /^\d+$/.test(seconds) ? Number(seconds) : seconds;
  if (typeof wholeSeconds !== 'number' || !Number.isFinite(wholeSeconds) || wholeSeconds < 0) return undefined;
  if (typeof nanos !== 'number' || !Number.isFinite(nanos) || nanos < 0) return undefined;
  return Math.round(wholeSeconds * 1000 + nanos / 1e6);
}

export const msToDuration = (ms: number): string => `${ms / 1000}s`;
