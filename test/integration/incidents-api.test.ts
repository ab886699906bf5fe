import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer;
let producer: TestClient;
let watcher: TestClient;

const get = (path: string, token = TOKENS.supervisor) =>
  fetch(`${server.http}${path}`, { headers: { authorization: `Bearer ${token}` } });

/** Polls the record until the call's incident is there with `entries` timeline entries or more (writes are batched off the cue path). */
async function recorded(callId: string, entries = 1): Promise<Record<string, any>> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await get(`/v1/incidents/${callId}`);
    if (response.status === 200) {
      const body = await response.json();
      if (body.timeline.length >= entries) return body;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no incident recorded for ${callId}`);
}

async function runCall(
  callId: string,
  agentId: string,
  lines: [speaker: 'customer' | 'agent', text: string][],
): Promise<void> {
  const call = new CallScript(producer, callId);
  await call.start(agentId);
  for (const [speaker, text] of lines) await call.say(speaker, text);
  await call.end();
  await callEnded(watcher, callId);
}

beforeAll(async () => {
  server = await startServer({ RECORD_CONTEXT_LINES: '1' });
  producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
  watcher = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.supervisor);
  await subscribe(watcher, { teamId: 'team-a' }, { transcript: true });
  await runCall('calm', 'agent-1', [['customer', 'hello i need a new card']]);
  await runCall('abuse', 'agent-1', [
    ['customer', 'hi my card number is 4111 1111 1111 1111'],
    ['customer', 'this is ridiculous'],
    ['customer', 'you useless idiot'],
    ['agent', 'I can only help if we keep this respectful'],
    ['customer', 'my phone is 0161 496 0000 call me back'],
    ['customer', 'fine'],
  ]);
  await runCall('threat', 'agent-2', [['customer', 'i know where you live']]);
});

afterAll(async () => {
  producer.close();
  watcher.close();
  await server.close();
});

describe('the incident record over HTTP', () => {
  it('keeps an abusive call: its cues, the lines around them with digit runs masked, and its end; not a calm call', async () => {
    const incident = await recorded('abuse', 4);
    expect(incident).toMatchObject({ callId: 'abuse', agentId: 'agent-1', teamId: 'team-a', cueTypes: ['set-limit'] });
    const lines = incident.timeline.filter((e: any) => e.kind === 'line').map((e: any) => e.data.text);
    // One line of context each side of the cue's line (RECORD_CONTEXT_LINES=1); the card number before them is not kept.
    expect(lines).toEqual(['this is ridiculous', 'you useless idiot', 'I can only help if we keep this respectful']);
    // A line is timed by when its final was received, so it comes before the cue it raised.
    const raised = incident.timeline.find((e: any) => e.kind === 'cue' && e.data.type === 'set-limit');
    const raisedBy = incident.timeline.find((e: any) => e.kind === 'line' && e.data.text === 'you useless idiot');
    expect(raisedBy.at).toBe(raised.data.segmentReceivedAt);
    const sent = watcher.received.find((m) => m.type === 'transcript' && m.isFinal && m.text === 'you useless idiot');
    expect(sent?.receivedAt).toBe(raised.data.segmentReceivedAt);
    expect(incident.timeline.indexOf(raisedBy)).toBeLessThan(incident.timeline.indexOf(raised));
    expect(
      incident.timeline.find((e: any) => e.kind === 'cue' && e.data.type === 'set-limit').data.evidence[0].text,
    ).toBe('you useless idiot');
    // The digit runs as said, with their spaces: a bare '0161' can occur inside an epoch-ms timestamp.
    expect(JSON.stringify(incident)).not.toMatch(/4111 1111|0161 496/);
    expect((await get('/v1/incidents/calm')).status).toBe(404);
  });

  it('lists with filters and pages, and names a bad filter', async () => {
    await recorded('threat');
    const all = await (await get('/v1/incidents')).json();
    expect(all.incidents.map((i: any) => i.callId)).toEqual(['threat', 'abuse']);
    const threats = await (await get('/v1/incidents?cueType=safety-alert')).json();
    expect(threats.incidents.map((i: any) => i.callId)).toEqual(['threat']);
    const page = await (await get('/v1/incidents?limit=1')).json();
    const next = await (await get(`/v1/incidents?limit=1&cursor=${page.nextCursor}`)).json();
    expect([...page.incidents, ...next.incidents].map((i: any) => i.callId)).toEqual(['threat', 'abuse']);
    const bad = await get('/v1/incidents?from=yesterday');
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/^querystring\.from:/);
    expect((await (await get('/v1/incidents?cueType=let-vent')).json()).message).toBe(
      'querystring.cueType: expected one of set-limit, warn, transfer, release, ask-meaning, safety-alert',
    );
    expect((await (await get('/v1/incidents?cursor=nonsense')).json()).message).toMatch(/^querystring\.cursor:/);
    for (const forged of [
      [1.5, 'x'],
      [1e300, 'x'],
      [1, 'a\u0000b'],
    ]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      expect((await get(`/v1/incidents?cursor=${cursor}`)).status).toBe(400);
    }
  });

  it('is scoped to the tenant and to the review scope', async () => {
    expect((await get('/v1/incidents/abuse', TOKENS.otherTenant)).status).toBe(404);
    expect((await (await get('/v1/incidents', TOKENS.otherTenant)).json()).incidents).toEqual([]);
    expect((await get('/v1/incidents', TOKENS.agent)).status).toBe(403);
  });

  it('exports JSON lines and CSV', async () => {
    const jsonl = await (await get('/v1/incidents/export?format=jsonl')).text();
    expect(
      jsonl
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).callId),
    ).toEqual(['threat', 'abuse']);
    const csv = await get('/v1/incidents/export?format=csv&cueType=safety-alert');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trim().split('\r\n');
    expect(rows[0]).toBe('call_id,epoch,agent_id,team_id,at,kind,speaker,label,cue_type,step,by,text');
    expect(
      rows.some(
        (r) => /^threat,[^,]+,agent-2,team-a,/.test(r) && r.includes(',cue,') && r.endsWith(',i know where you live'),
      ),
    ).toBe(true);
    // A download link carries its token in the address, as the console's export links do.
    const link = await fetch(`${server.http}/v1/incidents/export?format=jsonl&token=${TOKENS.supervisor}`);
    expect(link.status).toBe(200);
  });

  it('takes a correction of a line from an agent, shows it in the record with who, and deletes a call on request', async () => {
    const response = await fetch(`${server.http}/v1/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.supervisor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ callId: 'abuse', segmentId: 'abuse-s1', label: 'neutral' }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      callId: 'abuse',
      segmentId: 'abuse-s1',
      label: 'neutral',
      modelLabel: 'venting',
      by: 'sup-ana',
      text: 'this is ridiculous',
    });
    expect((await recorded('abuse')).timeline.at(-1)).toMatchObject({
      kind: 'feedback',
      data: { label: 'neutral', by: 'sup-ana' },
    });
    const unknown = await fetch(`${server.http}/v1/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify({ callId: 'abuse', segmentId: 'nope', label: 'neutral' }),
    });
    expect(unknown.status).toBe(404);
    const remove = (token: string) =>
      fetch(`${server.http}/v1/incidents/abuse`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect((await remove(TOKENS.otherTenant)).status).toBe(404);
    expect((await remove(TOKENS.supervisor)).status).toBe(204);
    expect((await get('/v1/incidents/abuse')).status).toBe(404);
  });
});
