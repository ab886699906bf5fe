import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IncidentStore } from '../../src/record/incident-store.js';
import { openSqlite } from '../../src/record/sqlite-driver.js';

const dataDir = mkdtempSync(join(tmpdir(), 'call-guard-feedback-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const correction = {
  tenant: 'acme',
  callId: 'c1',
  epoch: 'e1',
  segmentId: 's1',
  by: 'ana',
  at: 1,
  speaker: 'customer',
  text: 'this f***ing router',
  modelLabel: 'abusive' as const,
  label: 'venting' as const,
};

describe('npm run feedback:export', () => {
  it('writes the newest correction of each line in the training corpus format', async () => {
    const store = new IncidentStore(openSqlite(join(dataDir, 'call-guard.db')));
    await store.migrate();
    await store.addFeedback(correction);
    await store.addFeedback({ ...correction, by: 'ben', at: 2, label: 'neutral' });
    await store.addFeedback({
      ...correction,
      segmentId: 's2',
      speaker: 'agent',
      text: 'if this goes on i will transfer you',
      label: 'neutral',
      at: 3,
    });
    await store.addFeedback({ ...correction, tenant: 'globex', segmentId: 's3', at: 4 });
    await store.close();

    const out = join(dataDir, 'feedback.jsonl');
    const said = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/feedback-export.ts', out, '--tenant', 'acme'],
      { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' },
    );
    expect(said).toMatch(/wrote 2 corrected lines/);
    expect(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { text: 'this f***ing router', label: 'neutral', split: 'train', case: 'feedback' },
      {
        text: 'if this goes on i will transfer you',
        label: 'neutral',
        split: 'train',
        case: 'feedback',
        speaker: 'agent',
      },
    ]);
  });

  it('answers a missing FILE with one line of usage', () => {
    expect(() =>
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/feedback-export.ts'], {
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toThrow(/feedback:export: expected one FILE to write \(--help for usage\)/);
  });
});
