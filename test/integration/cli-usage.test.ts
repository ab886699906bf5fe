import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Every command-line program behind an npm script, with one mistaken call of its own. */
const PROGRAMS = [
  { script: 'src/cli/classify.ts', mistake: ['--speaker', 'robot', '-'] },
  { script: 'src/cli/demo.ts', mistake: ['--call', 'no-such-call'] },
  { script: 'training/evaluate.ts', mistake: [] },
  { script: 'training/prepare.ts', mistake: ['only-one-folder'] },
  { script: 'training/eval-calls.ts', mistake: ['--speed', 'fast'] },
  { script: 'training/choose-operating-points.ts', mistake: ['--max-wrong-line', '-1'] },
  { script: 'training/compare-calls.ts', mistake: ['only-one.json'] },
  { script: 'bench/bench.ts', mistake: ['--steps', 'many'] },
  { script: 'bench/classifier-throughput.ts', mistake: ['--inference-thread', 'gpu'] },
];

const run = (script: string, args: string[], env = process.env) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe.each(PROGRAMS)('$script', ({ script, mistake }) => {
  it('prints its usage for --help and exits 0', () => {
    const help = run(script, ['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run /);
  });

  it('answers an unknown option or a mistaken call with one line, no stack trace, exit status 2', () => {
    for (const args of [['--no-such-option'], mistake]) {
      const wrong = run(script, args);
      expect(wrong.status, wrong.stderr).toBe(2);
      expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
      expect(wrong.stderr).toMatch(/^npm run [\w:-]+: .*\(--help for usage\)\n$/);
    }
  });
});

it('npm run demo names a bad --port as the flag, and a bad PORT as the variable', () => {
  const flag = run('src/cli/demo.ts', ['--port', 'abc']);
  expect(flag.status, flag.stderr).toBe(2);
  expect(flag.stderr).toBe('npm run demo: --port "abc": must be integer, written in digits (--help for usage)\n');
  const variable = run('src/cli/demo.ts', [], { ...process.env, PORT: '70000' });
  expect(variable.status, variable.stderr).toBe(2);
  expect(variable.stderr).toMatch(/^npm run demo: PORT="70000": must be <= 65535 \(--help for usage\)\n$/);
});

it('npm run eval:calls names a policy file it cannot read, in one line, exit status 1', () => {
  const wrong = run('training/eval-calls.ts', ['--policy', 'no-such-policy.json']);
  expect(wrong.status, wrong.stderr).toBe(1);
  expect(wrong.stderr).toMatch(/^npm run eval:calls: cannot read ladder policy no-such-policy\.json: .*\n$/);
});

it('npm run eval without a data folder says where the data sets come from', () => {
  expect(run('training/evaluate.ts', []).stderr).toContain('training/README.md ("Data sets")');
});

it("npm run eval --sets with a name that is no set's lists the sets", () => {
  const wrong = run('training/evaluate.ts', ['.', '--sets', 'dev-venting,no-such-set']);
  expect(wrong.status, wrong.stderr).toBe(2);
  expect(wrong.stderr).toContain('no set is called no-such-set; the sets are project, ');
  expect(wrong.stderr).toContain('dev-venting');
});

describe('npm run compare:calls', () => {
  const folder = mkdtempSync(join(tmpdir(), 'compare-calls-'));
  const report = (name: string, calls: { id: string; right: unknown; alert: string }[]) => {
    const file = join(folder, name);
    writeFileSync(file, JSON.stringify({ model: `models/${name}`, policy: 'built-in', summary: {}, calls }));
    return file;
  };
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('prints the calls right in one run only, the test on them and the alerts that changed', () => {
    const first = report('first.json', [
      { id: 'a', right: true, alert: 'right' },
      { id: 'b', right: false, alert: 'missed' },
    ]);
    const second = report('second.json', [
      { id: 'a', right: true, alert: 'right' },
      { id: 'b', right: true, alert: 'right' },
    ]);
    const compared = run('training/compare-calls.ts', [first, second]);
    expect(compared.status, compared.stderr).toBe(0);
    expect(compared.stdout).toContain('2 calls; right 1 and 2\n');
    expect(compared.stdout).toContain('right in the second only (1):\n  b\n');
    expect(compared.stdout).toContain('exact McNemar test on those 1 calls: p = 1.000 (two-sided)\n');
    expect(compared.stdout).toContain('  b: missed -> right\n');
  });

  it('names a file that is no eval:calls report, in one line, exit status 1', () => {
    const first = report('calls.json', [{ id: 'a', right: true, alert: 'right' }]);
    const other = report('other.json', [{ id: 'a', right: 'yes', alert: 'right' }]);
    const wrong = run('training/compare-calls.ts', [first, other]);
    expect(wrong.status, wrong.stderr).toBe(1);
    expect(wrong.stderr).toMatch(
      /^npm run compare:calls: \S+other\.json is no eval:calls report: report\.calls\[0\]\.right: .*\n$/,
    );
  });
});
