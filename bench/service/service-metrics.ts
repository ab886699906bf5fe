/** One scrape of the service's /metrics (Prometheus text format), read by metric name and labels. */
export class MetricsSnapshot {
  private constructor(
    readonly at: number,
    private readonly lines: ReadonlyArray<{ name: string; labels: Record<string, string>; value: number }>,
  ) {}

  static async scrape(http: string): Promise<MetricsSnapshot> {
    const text = await (await fetch(`${http}/metrics`)).text();
    const lines = text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!match) throw new Error(`unreadable metrics line: ${line}`);
        const labels = Object.fromEntries(
          [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
        );
        return { name: match[1]!, labels, value: Number(match[3]) };
      });
    return new MetricsSnapshot(performance.now(), lines);
  }

  /** The sum over every series of `name` whose labels include `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.lines
      .filter(
        (line) => line.name === name && Object.entries(labels).every(([key, value]) => line.labels[key] === value),
      )
      .reduce((total, line) => total + line.value, 0);
  }

  /** Cumulative bucket counts by upper bound, summed over the matching series. */
  buckets(name: string, labels: Record<string, string> = {}): Array<[le: number, count: number]> {
    const byBound = new Map<number, number>();
    for (const line of this.lines) {
      if (line.name !== `${name}_bucket` || !Object.entries(labels).every(([key, value]) => line.labels[key] === value))
        continue;
      const le = Number(line.labels.le === '+Inf' ? Infinity : line.labels.le);
      byBound.set(le, (byBound.get(le) ?? 0) + line.value);
    }
    return [...byBound.entries()].sort((a, b) => a[0] - b[0]);
  }
}

export interface HistogramFigures {
  count: number;
  mean: number;
  /** The smallest bucket bound that holds 99% of the observations: p99 is at most this. */
  p99AtMost: number | null;
}

/** A histogram's observations between two scrapes, in the histogram's unit times `scale`. */
export function histogramBetween(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
  name: string,
  labels: Record<string, string> = {},
  scale = 1,
): HistogramFigures {
  const count = after.sum(`${name}_count`, labels) - before.sum(`${name}_count`, labels);
  const sum = after.sum(`${name}_sum`, labels) - before.sum(`${name}_sum`, labels);
  const earlier = new Map(before.buckets(name, labels));
  const bound = after
    .buckets(name, labels)
    .find(([le, cumulative]) => cumulative - (earlier.get(le) ?? 0) >= 0.99 * count)?.[0];
  return {
    count,
    mean: count > 0 ? (sum / count) * scale : 0,
    p99AtMost: count > 0 && bound !== undefined && Number.isFinite(bound) ? bound * scale : null,
  };
}
