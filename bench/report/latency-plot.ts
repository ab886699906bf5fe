import type { StreamStep } from '../stream/stream-step.js';

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 64, right: 24, top: 48, bottom: 56 };
const SERIES = [
  { name: 'p50', key: 'p50', color: '#1f77b4' },
  { name: 'p99', key: 'p99', color: '#d62728' },
] as const;

/** 1, 2 or 5 times a power of ten, at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An SVG line chart of final segment → cue p50 and p99 against concurrent calls (log scale), with the budget. */
export function latencyPlotSvg(steps: readonly StreamStep[], budgetMs: number): string {
  const points = steps.filter((step) => step.finalToCueMs !== null);
  if (points.length === 0) throw new Error('no step measured a final segment → cue latency to plot');
  const calls = points.map((step) => step.concurrentCalls);
  const [minX, maxX] = [Math.log10(Math.min(...calls)), Math.log10(Math.max(...calls))];
  const highest = Math.max(budgetMs, ...points.map((step) => step.finalToCueMs!.p99)) * 1.1;
  const yStep = niceStep(highest / 5);
  const yMax = yStep * Math.ceil(highest / yStep);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (n: number) =>
    MARGIN.left + (maxX > minX ? ((Math.log10(n) - minX) / (maxX - minX)) * plotWidth : plotWidth / 2);
  const y = (ms: number) => MARGIN.top + plotHeight - (ms / yMax) * plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">Final segment → cue latency against concurrent calls</text>`,
  ];
  for (let ms = 0; ms <= yMax + 1e-9; ms += yStep) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(ms)}" y2="${y(ms)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(ms) + 4}" text-anchor="end">${Number(ms.toPrecision(6))}</text>`,
    );
  }
  for (const n of calls) {
    parts.push(`<text x="${x(n)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${n}</text>`);
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">concurrent calls (log scale)</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">ms, client-measured</text>`,
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(budgetMs)}" y2="${y(budgetMs)}" stroke="#ff7f0e" stroke-dasharray="6 4"/>`,
    `<text x="${WIDTH - MARGIN.right - 4}" y="${y(budgetMs) - 6}" text-anchor="end" fill="#ff7f0e">${escape(`budget ${budgetMs} ms`)}</text>`,
  );
  SERIES.forEach((series, i) => {
    const coords = points.map(
      (step) => [x(step.concurrentCalls).toFixed(1), y(step.finalToCueMs![series.key]).toFixed(1)] as const,
    );
    parts.push(
      `<polyline points="${coords.map(([cx, cy]) => `${cx},${cy}`).join(' ')}" fill="none" stroke="${series.color}" stroke-width="2"/>`,
    );
    for (const [cx, cy] of coords) parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${series.color}"/>`);
    const legendY = MARGIN.top + 8 + i * 18;
    parts.push(
      `<line x1="${MARGIN.left + 12}" x2="${MARGIN.left + 36}" y1="${legendY}" y2="${legendY}" stroke="${series.color}" stroke-width="2"/>`,
      `<text x="${MARGIN.left + 42}" y="${legendY + 4}">${series.name}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
