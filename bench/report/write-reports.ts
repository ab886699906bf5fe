import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport } from './bench-report.js';
import { latencyPlotSvg } from './latency-plot.js';
import { markdownReport, PLOT_FILE } from './markdown-report.js';

export const REPORT_FILES = { json: 'bench-report.json', markdown: 'bench-report.md', plot: PLOT_FILE };

/** Writes the JSON and Markdown reports and, when a streaming step measured a cue latency, the plot; returns the paths. */
export function writeReports(report: BenchReport, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: Array<[string, string]> = [
    [REPORT_FILES.json, `${JSON.stringify(report, null, 2)}\n`],
    [REPORT_FILES.markdown, markdownReport(report)],
  ];
  const steps = report.stream?.steps ?? [];
  if (steps.some((step) => step.finalToCueMs !== null))
    files.push([REPORT_FILES.plot, latencyPlotSvg(steps, report.stream!.budgetMs)]);
  return files.map(([name, content]) => {
    const path = join(outDir, name);
    writeFileSync(path, content);
    return path;
  });
}
