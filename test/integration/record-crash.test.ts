import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CallScript } from '../helpers/calls.js';
import { TOKENS } from '../helpers/server.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { TestClient } from '../helpers/ws-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'call-guard-crash-'));
const running: ServiceProcess[] = [];

/** The real service, as a process of its own with the committed model, its record in dataDir. */
async function startService(): Promise<ServiceProcess> {
  const service = await startServiceProcess({ DATA_DIR: dataDir });
  running.push(service);
  return service;
}

const incidentOf = async (base: string, callId: string) => {
  const response = await fetch(`http://${base}/v1/incidents/${callId}`, {
    headers: { authorization: `Bearer ${TOKENS.supervisor}` },
  });
  return response.status === 200
    ? ((await response.json()) as { cueTypes: string[]; timeline: { kind: string; data: any }[] })
    : undefined;
};

afterAll(async () => {
  for (const service of running) await service.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the incident record across a crash', () => {
  it('keeps a threat call and its evidence when the service is killed mid-call (kill -9)', async () => {
    const first = await startService();
    const producer = await TestClient.connect(`ws://${first.base}/v1/ingest`, TOKENS.ingest);
    const call = new CallScript(producer, 'crash-threat');
    await call.start('agent-9');
    await call.customer('my internet has been down all week');
    await call.customer('i know where you live and i am coming for you tonight');
    // The record is written off the cue path, a batch every few milliseconds: wait until this call's is in.
    while (!(await incidentOf(first.base, 'crash-threat'))?.cueTypes.includes('safety-alert')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await first.kill();

    const second = await startService();
    const kept = await incidentOf(second.base, 'crash-threat');
    expect(kept?.cueTypes).toEqual(['safety-alert']);
    const alert = kept!.timeline.find((e) => e.kind === 'cue' && e.data.type === 'safety-alert');
    expect(alert?.data.evidence[0].text).toBe('i know where you live and i am coming for you tonight');
    expect(kept!.timeline.filter((e) => e.kind === 'line').map((e) => e.data.text)).toContain(
      'my internet has been down all week',
    );
    producer.close();
  }, 60_000);
});
