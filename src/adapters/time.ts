/** Provider times in seconds (floating point) to whole milliseconds. */
export const secondsToMs = (seconds: number): number => Math.max(0, Math.round(seconds * 1000));

/** A protobuf Duration in its JSON form ("3.5s") to whole milliseconds, or undefined if malformed. */
export function durationToMs(duration: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration);
  return match?.[1] === undefined ? undefined : secondsToMs(Number(match[1]));
}

export const msToDuration = (ms: number): string => `${ms / 1000}s`;
