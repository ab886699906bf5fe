import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../../src/classifier/index.js';
import type { Classifier } from '../../src/classifier/classifier.js';
import type { Verdict } from '../../src/protocol/verdict.js';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';

// The README's and docs/protocol.md's examples show real output of the committed model. When the model
// changes, these tests fail with the new output to paste in. Labels and span positions must match
// exactly; scores (printed to 4 decimals) and span weights (3 decimals) may differ by two units in
// their last printed place, which covers floating-point differences between CPUs.
const SCORE_TOLERANCE = 0.0002;
const WEIGHT_TOLERANCE = 0.002;

type Documented = Pick<Verdict, 'label' | 'scores'> & Partial<Pick<Verdict, 'spans'>>;

const near = (actual: number, documented: number, tolerance: number) => Math.abs(actual - documented) <= tolerance;

/** True when `actual` reads as what the documentation printed, within the tolerances above. */
function matchesDocumented(actual: Documented, documented: Documented): boolean {
  if (actual.label !== documented.label) return false;
  const labels = Object.keys(documented.scores) as (keyof Verdict['scores'])[];
  if (
    Object.keys(actual.scores).length !== labels.length ||
    !labels.every((l) => near(actual.scores[l], documented.scores[l], SCORE_TOLERANCE))
  )
    return false;
  if (!documented.spans) return true;
  return (
    actual.spans?.length === documented.spans.length &&
    documented.spans.every((span, i) => {
      const got = actual.spans![i]!;
      return (
        got.start === span.start &&
        got.end === span.end &&
        got.text === span.text &&
        got.kind === span.kind &&
        near(got.weight, span.weight, WEIGHT_TOLERANCE)
      );
    })
  );
}

/** The body of the first fenced block that opens after `marker` (which may itself sit inside a block). */
function blockAfter(document: string, marker: string): string {
  const at = document.indexOf(marker);
  expect(at, `the example marked by ${JSON.stringify(marker.slice(0, 60))} is missing`).toBeGreaterThanOrEqual(0);
  const fences = [...document.matchAll(/^```.*$/gm)].map((fence) => ({
    start: fence.index,
    end: fence.index + fence[0].length,
  }));
  for (let i = 0; i + 1 < fences.length; i += 2) {
    const [open, close] = [fences[i]!, fences[i + 1]!];
    if (open.start > at) return document.slice(open.end + 1, close.start);
  }
  throw new Error(`no fenced block after ${JSON.stringify(marker.slice(0, 60))}`);
}

describe('README: the npm run classify example', () => {
  const readme = readFileSync('README.md', 'utf8');
  const command = /printf '([^']*)' \| npm run --silent classify -- -/.exec(readme);

  it('prints what the README shows', () => {
    expect(command, 'README.md no longer has the printf … | npm run --silent classify -- - example').not.toBeNull();
    const documented = blockAfter(readme, command![0]).trim().split('\n');
    const input = command![1]!.replaceAll('\\n', '\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/classify.ts', '-'], {
      input,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const printed = run.stdout.trim().split('\n');
    const same =
      printed.length === documented.length &&
      printed.every((line, i) => {
        const [got, shown] = [
          JSON.parse(line) as Documented & { text: string },
          JSON.parse(documented[i]!) as Documented & { text: string },
        ];
        return got.text === shown.text && matchesDocumented(got, shown);
      });
    expect(same, `README.md's classify output is out of date; paste this under the command:\n${run.stdout}`).toBe(true);
  });
});

describe('docs/protocol.md: the POST /v1/classify example', () => {
  const protocol = readFileSync('docs/protocol.md', 'utf8');
  let classifier: Classifier;

  beforeAll(async () => {
    classifier = await loadClassifier({ batchMaxWaitMs: 1, queueMax: 256 });
  });
  afterAll(() => classifier?.close());

  it('answers what the document shows', async () => {
    const request = blockAfter(protocol, '### `POST /v1/classify`');
    const response = blockAfter(protocol, request);
    const app = await buildServer({ config: loadConfig({ LOG_LEVEL: 'silent', RECORD: 'off' }), classifier });
    try {
      const [head, body] = request.split('\n\n');
      const token = /^Authorization: Bearer (\S+)$/m.exec(head!)![1]!;
      const reply = await app.inject({
        method: 'POST',
        url: '/v1/classify',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: body!.trim(),
      });
      expect(reply.statusCode, reply.body).toBe(200);
      const { results } = reply.json() as { results: Documented[] };
      const documented = (JSON.parse(response) as { results: Documented[] }).results;
      const same =
        results.length === documented.length && results.every((result, i) => matchesDocumented(result, documented[i]!));
      const paste = `{"results":[\n${results.map((result) => `  ${JSON.stringify(result)}`).join(',\n')}\n]}`;
      expect(same, `docs/protocol.md's /v1/classify answer is out of date; paste this as the answer:\n${paste}\n`).toBe(
        true,
      );
    } finally {
      await app.close();
    }
  });
});
