/**
 * `npm run bench`: starts the service itself (src/main.ts, the model from MODEL_DIR) and measures
 * the HTTP hot path and streaming calls on this machine; writes bench/results/. Options: --help.
 */
import { usageError } from '../src/cli/command-line.js';
import { parseBenchOptions, USAGE } from './bench-options.js';
import { runBench } from './run-bench.js';
import { writeReports } from './report/write-reports.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const options = (() => {
  try {
    return parseBenchOptions(args);
  } catch (error) {
    return usageError('npm run bench', (error as Error).message);
  }
})();

const log = (line: string) => console.log(line);
const report = await runBench(options, ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' '), log);
for (const target of report.targets)
  log(
    `${target.met === null ? 'not measured' : target.met ? 'met' : 'MISSED'}: ${target.target}: ${target.measured} ${target.margin}`,
  );
for (const path of writeReports(report, options.outDir)) log(`wrote ${path}`);
