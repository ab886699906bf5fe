/**
 * Compares two `npm run eval:calls -- --json FILE` runs over the same calls, call by call: which
 * calls only one run gets right, whose safety alert changed, and whether the difference in calls
 * right is more than two models of this kind trade call by call (an exact McNemar test).
 *   npm run compare:calls -- --help
 */
import { readFileSync } from 'node:fs';
import { failure, parseCommandLine, usageError } from '../src/cli/command-line.js';
import { validator } from '../src/protocol/validator.js';
import { CallReportFile, compareCalls } from './paired-calls.js';

const PROGRAM = 'npm run compare:calls';
const USAGE = `usage: npm run compare:calls -- FIRST.json SECOND.json

Reads two reports written by \`npm run eval:calls -- --json FILE\` over the same calls and prints
the calls right in one run only, the calls whose safety alert changed, and the exact two-sided
McNemar test on the calls right in one run only (the chance of so uneven a split if each were a
coin toss).`;

const { positionals } = parseCommandLine(PROGRAM, USAGE, {}, { allowPositionals: true });
if (positionals.length !== 2) usageError(PROGRAM, `needs two report files, not ${positionals.length}`);

const checkReport = validator(CallReportFile, 'report');
function readReport(file: string): CallReportFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return failure(PROGRAM, `cannot read ${file}: ${(error as Error).message}`);
  }
  const checked = checkReport(raw);
  return checked.ok ? checked.value : failure(PROGRAM, `${file} is no eval:calls report: ${checked.message}`);
}

const [firstFile, secondFile] = positionals as [string, string];
const [first, second] = [readReport(firstFile), readReport(secondFile)];
function compare(a: CallReportFile, b: CallReportFile) {
  try {
    return compareCalls(a.calls, b.calls);
  } catch (error) {
    return failure(PROGRAM, `${firstFile} and ${secondFile}: ${(error as Error).message}`);
  }
}

const { calls, right, rightOnlyInFirst, rightOnlyInSecond, alertChanges, pValue } = compare(first, second);
const list = (ids: readonly string[]) => ids.map((id) => `  ${id}\n`).join('');
const runOf = ({ model, policy }: CallReportFile) => `model ${model}, policy ${policy ?? 'not recorded'}`;
process.stdout.write(
  `first:  ${firstFile} (${runOf(first)})\n` +
    `second: ${secondFile} (${runOf(second)})\n` +
    `${calls} calls; right ${right[0]} and ${right[1]}\n` +
    `right in the first only (${rightOnlyInFirst.length}):\n${list(rightOnlyInFirst)}` +
    `right in the second only (${rightOnlyInSecond.length}):\n${list(rightOnlyInSecond)}` +
    `exact McNemar test on those ${rightOnlyInFirst.length + rightOnlyInSecond.length} calls: p = ${pValue.toFixed(3)} (two-sided)\n` +
    `safety alert changed (${alertChanges.length}):\n` +
    alertChanges.map((change) => `  ${change.id}: ${change.first} -> ${change.second}\n`).join(''),
);
