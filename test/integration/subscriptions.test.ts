import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer;
let producer: TestClient;
const clients: TestClient[] = [];

async function connect(path: string, token: string): Promise<TestClient> {
  const client = await TestClient.connect(`${server.ws}${path}`, token);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startServer();
  producer = await connect('/v1/ingest', TOKENS.ingest);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

describe('subscriptions', () => {
  it('a subscriber that reconnects with its last seq gets every cue it missed, in order', async () => {
    const call = new CallScript(producer, 'resume-1');
    const first = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(first, { callId: 'resume-1' });
    await call.start();
    await call.customer('this stupid router has been dead all week');
    await first.next((m) => m.type === 'cue' && m.cue.type === 'let-vent');
    first.close();
    await first.closed;

    await call.customer('you are a useless idiot');
    await call.customer('are you a moron or just pretending');
    await call.customer('you useless idiot');

    const second = await connect('/v1/subscribe', TOKENS.agent);
    const subscribed = await subscribe(second, { callId: 'resume-1' }, { resume: { 'resume-1': 1 } });
    expect(subscribed.type).toBe('subscribed');
    await call.end();
    await callEnded(second, 'resume-1');
    const cues = second.cues('resume-1');
    expect(cues.map((c) => c.seq)).toEqual([2, 3, 4, 5]);
    expect(cues.map((c) => c.type)).toEqual(['set-limit', 'warn', 'transfer', 'break-debrief']);
  });

  it('a transcript subscriber that joins mid-call first gets the labelled lines said so far', async () => {
    const call = new CallScript(producer, 'late-1');
    const watcher = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(watcher, { callId: 'late-1' }, { transcript: true });
    await call.start('agent-late');
    await call.customer('this stupid router has been dead all week');
    await call.agent('i am sorry about that let me check the line');
    await call.say('customer', 'you are a use', false, 'late-1-s2');
    await call.say('customer', 'you are a useless idiot', true, 'late-1-s2');
    await watcher.next((m) => m.type === 'transcript' && m.segmentId === 'late-1-s2' && m.isFinal);

    const late = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(late, { agentId: 'agent-late' }, { transcript: true });
    const replayed = [
      await late.next((m) => m.type === 'transcript'),
      await late.next((m) => m.type === 'transcript'),
      await late.next((m) => m.type === 'transcript'),
    ];
    expect(replayed.map((m) => [m.speaker, m.text, m.label])).toEqual([
      ['customer', 'this stupid router has been dead all week', 'venting'],
      ['agent', 'i am sorry about that let me check the line', 'neutral'],
      ['customer', 'you are a useless idiot', 'abusive'],
    ]);
    await call.end();
    await callEnded(late, 'late-1');
    expect(late.received.filter((m) => m.type === 'transcript')).toHaveLength(3);
  });

  it('shows a final without the whitespace around it or a NUL, its evidence on its words, and a withdrawn segment closed', async () => {
    const call = new CallScript(producer, 'edges-1');
    const watcher = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(watcher, { callId: 'edges-1' }, { transcript: true });
    await call.start();
    await call.say('customer', '   you useless\u0000 idiot  ', true, 'edges-1-s1');
    const line = await watcher.next(
      (m) => m.type === 'transcript' && m.segmentId === 'edges-1-s1' && m.isFinal && m.spans !== undefined,
    );
    expect(line.text).toBe('you useless idiot');
    expect(line.spans.length).toBeGreaterThan(0);
    for (const span of line.spans) expect(line.text.slice(span.start, span.end)).toBe(span.text);
    await call.say('customer', 'so the thing is', false, 'edges-1-s2');
    await call.say('customer', ' ', true, 'edges-1-s2');
    const closed = await watcher.next((m) => m.type === 'transcript' && m.segmentId === 'edges-1-s2' && m.isFinal);
    expect(closed).toMatchObject({ text: '', isFinal: true });
    await call.end();
  });

  it('a supervisor takes a safety alert: the other supervisors hear who, and a reconnecting one too', async () => {
    const lead = await connect('/v1/subscribe', TOKENS.supervisor);
    const colleague = await connect('/v1/subscribe', TOKENS.supervisor);
    for (const supervisor of [lead, colleague]) await subscribe(supervisor, { teamId: 'team-claim' });
    const call = new CallScript(producer, 'claim-1');
    await call.start('agent-c', 'team-claim');
    await call.customer('you are a useless idiot');
    await call.customer('i know where you live and i am coming for you');
    const alert = (await colleague.next((m) => m.type === 'cue' && m.cue.type === 'safety-alert')).cue;

    const claim = (client: TestClient, seq: number, callId = 'claim-1') =>
      client.request({ type: 'alert.claim', id: `claim-${callId}-${seq}`, callId, seq });
    expect(await claim(lead, alert.seq - 1)).toMatchObject({
      type: 'error',
      code: 'invalid_message',
      message: `seq: cue ${alert.seq - 1} of call claim-1 is not a safety alert`,
    });
    expect(await claim(lead, alert.seq, 'no-such-call')).toMatchObject({ type: 'error', code: 'unknown_call' });
    const agent = await connect('/v1/subscribe', TOKENS.agent);
    expect(await claim(agent, alert.seq)).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await claim(lead, alert.seq)).toMatchObject({
      type: 'ack',
      of: 'alert.claim',
      callId: 'claim-1',
      status: 'accepted',
    });

    const heard = await colleague.next((m) => m.type === 'alert.claimed');
    expect(heard).toMatchObject({ callId: 'claim-1', seq: alert.seq, by: 'sup-ana' });
    const back = await connect('/v1/subscribe', TOKENS.supervisor);
    await subscribe(back, { teamId: 'team-claim' }, { resume: { 'claim-1': alert.seq } });
    expect(await back.next((m) => m.type === 'alert.claimed')).toEqual(heard);
    await call.end();
  });

  it('reports a gap when the buffer no longer holds what a subscriber missed', async () => {
    const small = await startServer({ CUE_REPLAY_BUFFER: '1' });
    try {
      const prod = await TestClient.connect(`${small.ws}/v1/ingest`, TOKENS.ingest);
      const call = new CallScript(prod, 'gap-1');
      await call.start();
      const watcher = await TestClient.connect(`${small.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(watcher, { callId: 'gap-1' });
      await call.customer('you are a useless idiot');
      await call.customer('you are a useless idiot');
      await watcher.next((m) => m.type === 'cue' && m.cue.seq === 2);
      const late = await TestClient.connect(`${small.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(late, { callId: 'gap-1' }, { resume: { 'gap-1': 0 } });
      expect(await late.next((m) => m.type === 'gap')).toMatchObject({ callId: 'gap-1', afterSeq: 0, beforeSeq: 2 });
      expect((await late.next((m) => m.type === 'cue')).cue.seq).toBe(2);
      for (const c of [prod, watcher, late]) c.close();
    } finally {
      await small.close();
    }
  });

  it('a subscriber of another tenant sees nothing, even with the same ids', async () => {
    const outsider = await connect('/v1/subscribe', TOKENS.otherTenant);
    await subscribe(outsider, { tenant: true }, { transcript: true });
    await subscribe(outsider, { callId: 'tenant-1' }, { resume: { 'tenant-1': 0 } });
    await subscribe(outsider, { agentId: 'agent-7' });
    const insider = await connect('/v1/subscribe', TOKENS.supervisor);
    await subscribe(insider, { tenant: true });

    const call = new CallScript(producer, 'tenant-1');
    await call.start();
    await call.customer('i know where you live and i am coming for you');
    await call.end();
    await callEnded(insider, 'tenant-1');
    expect(insider.cues('tenant-1').map((c) => c.type)).toEqual(['safety-alert', 'break-debrief']);

    // An acknowledgement from the other tenant cannot reach the call either.
    const ack = await outsider.request({ type: 'agent.ack', id: 'x1', callId: 'tenant-1', step: 'limit-set' });
    expect(ack).toMatchObject({ type: 'error', code: 'unknown_call' });
    expect(outsider.received.filter((m) => m.type !== 'subscribed' && m.type !== 'error')).toEqual([]);
  });

  it('supervisors follow a team, with the labelled live transcript; agents cannot', async () => {
    const agent = await connect('/v1/subscribe', TOKENS.agent);
    const refused = await subscribe(agent, { teamId: 'team-b' });
    expect(refused).toMatchObject({ type: 'error', code: 'forbidden' });

    const supervisor = await connect('/v1/subscribe', TOKENS.supervisor);
    await subscribe(supervisor, { teamId: 'team-b' }, { transcript: true });
    const other = new CallScript(producer, 'team-a-call');
    await other.start('agent-1', 'team-a');
    const call = new CallScript(producer, 'team-b-call');
    await call.start('agent-2', 'team-b');
    expect(await supervisor.next((m) => m.type === 'call')).toMatchObject({
      event: 'started',
      call: { callId: 'team-b-call', step: 'listen', lastSeq: 0 },
    });
    await other.customer('you are a useless idiot');
    await call.customer('you are a useless idiot');
    const line = await supervisor.next((m) => m.type === 'transcript' && m.isFinal);
    expect(line).toMatchObject({
      callId: 'team-b-call',
      speaker: 'customer',
      label: 'abusive',
      text: 'you are a useless idiot',
    });
    await call.end();
    await other.end();
    await callEnded(supervisor, 'team-b-call');
    expect(supervisor.received.some((m) => JSON.stringify(m).includes('team-a-call'))).toBe(false);
  });

  it('agent UIs acknowledge steps on the subscribe socket', async () => {
    const ui = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(ui, { callId: 'ui-ack' });
    const call = new CallScript(producer, 'ui-ack');
    await call.start();
    await call.customer('you are a useless idiot');
    await ui.next((m) => m.type === 'cue' && m.cue.type === 'set-limit');
    expect(await ui.request({ type: 'agent.ack', id: 'a1', callId: 'ui-ack', step: 'transferred' })).toMatchObject({
      type: 'ack',
      status: 'accepted',
    });
    // The step moved without a cue: subscribers are told, so the ladder they show stays true.
    expect(await ui.next((m) => m.type === 'call' && m.event === 'moved')).toMatchObject({
      call: { callId: 'ui-ack', step: 'transfer', lastSeq: 1 },
    });
    await call.customer('you are a useless idiot');
    await call.end();
    await callEnded(ui, 'ui-ack');
    expect(ui.cues('ui-ack').map((c) => c.type)).toEqual(['set-limit', 'release', 'break-debrief']);
  });
});
