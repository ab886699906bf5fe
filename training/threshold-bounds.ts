/** The safety counts of one set of thresholds on the dev calls that a search can bound. */
export interface SafetyCounts {
  missed: number;
  falseAlerts: number;
  wrongLine: number;
}

export interface SafetyBound {
  count: keyof SafetyCounts;
  max: number;
}

/** How many calls a set's counts go over the bounds, summed over them: 0 for a set inside them all. */
export function callsOverBounds(counts: SafetyCounts, bounds: readonly SafetyBound[]): number {
  return bounds.reduce((sum, { count, max }) => sum + Math.max(0, counts[count] - max), 0);
}
