import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { onRedis } from '../helpers/on-redis.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

const OWN = 'agent-bound';
const OTHER = 'agent-other';

const finalLine = (callId: string) => (m: Message) =>
  m.type === 'transcript' && m.callId === callId && m.isFinal && m.label !== undefined;

/** An event of the call: a cue, a call event, a transcript line or anything else naming it. */
const ofCall = (callId: string) => (m: Message) => [m.callId, m.cue?.callId, m.call?.callId].includes(callId);

const sendFeedback = (server: TestServer, token: string, callId: string) =>
  fetch(`${server.http}/v1/feedback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ callId, segmentId: `${callId}-s0`, label: 'neutral' }),
  });

describe('a token bound to an agent, on one instance', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const connect = async (path: string, token: string) => {
    const client = await TestClient.connect(`${server.ws}${path}`, token);
    clients.push(client);
    return client;
  };
  let producer: TestClient;

  beforeAll(async () => {
    server = await startServer();
    producer = await connect('/v1/ingest', TOKENS.ingest);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  it('is refused another agent’s scope and live call, saying why, and follows its own agent and calls', async () => {
    const other = new CallScript(producer, 'bound-other');
    const own = new CallScript(producer, 'bound-own');
    await other.start(OTHER);
    await own.start(OWN);
    const bound = await connect('/v1/subscribe', TOKENS.boundAgent);

    expect(await subscribe(bound, { agentId: OTHER })).toMatchObject({
      type: 'error',
      code: 'forbidden',
      message: `scope.agentId: this token is bound to agent ${OWN} and may follow only that agent's calls`,
    });
    expect(await subscribe(bound, { callId: 'bound-other' }, { transcript: true })).toMatchObject({
      type: 'error',
      code: 'forbidden',
      message: expect.stringContaining(`scope.callId: call bound-other is another agent's`),
    });
    const byCall = await subscribe(bound, { callId: 'bound-own' }, { transcript: true });
    expect(byCall).toMatchObject({ type: 'subscribed', calls: [{ callId: 'bound-own', agentId: OWN }] });
    expect(await subscribe(bound, { agentId: OWN })).toMatchObject({ type: 'subscribed' });

    await other.customer('you are a useless idiot');
    await own.customer('you are a useless idiot');
    await own.end();
    await other.end();
    await callEnded(bound, 'bound-own');
    expect(bound.cues('bound-own').map((cue) => cue.type)).toContain('set-limit');
    expect(bound.received.filter(ofCall('bound-other'))).toEqual([]);

    // An agent token with no agent keeps seeing every call of its tenant.
    const unbound = await connect('/v1/subscribe', TOKENS.agent);
    expect(await subscribe(unbound, { callId: 'bound-other' })).toMatchObject({ type: 'subscribed' });
  });

  it('gets nothing of a call it subscribed to before it started that turns out to be another agent’s', async () => {
    const bound = await connect('/v1/subscribe', TOKENS.boundAgent);
    const watcher = await connect('/v1/subscribe', TOKENS.supervisor);
    await subscribe(watcher, { tenant: true });
    expect(await subscribe(bound, { callId: 'later-other' }, { transcript: true })).toMatchObject({
      type: 'subscribed',
      calls: [],
    });
    expect(await subscribe(bound, { callId: 'later-own' }, { transcript: true })).toMatchObject({
      type: 'subscribed',
    });

    const other = new CallScript(producer, 'later-other');
    await other.start(OTHER);
    await other.customer('you are a useless idiot');
    await other.end();
    await callEnded(watcher, 'later-other');
    const own = new CallScript(producer, 'later-own');
    await own.start(OWN);
    await own.customer('you are a useless idiot');
    await own.end();
    await callEnded(bound, 'later-own');

    expect(bound.cues('later-own').length).toBeGreaterThan(0);
    expect(bound.received.filter(ofCall('later-other'))).toEqual([]);
  });

  it('acknowledges a ladder step and corrects a label on its own calls only', async () => {
    const other = new CallScript(producer, 'ack-other');
    const own = new CallScript(producer, 'ack-own');
    const watcher = await connect('/v1/subscribe', TOKENS.supervisor);
    await subscribe(watcher, { tenant: true }, { resume: { 'ack-other': 0, 'ack-own': 0 } });
    await other.start(OTHER);
    await own.start(OWN);
    await other.customer('this stupid router has been dead all week');
    await own.customer('this stupid router has been dead all week');
    const lines = await connect('/v1/subscribe', TOKENS.supervisor);
    await subscribe(lines, { tenant: true }, { transcript: true, resume: { 'ack-other': 0, 'ack-own': 0 } });
    await lines.seen(finalLine('ack-other'));
    await lines.seen(finalLine('ack-own'));

    const bound = await connect('/v1/subscribe', TOKENS.boundAgent);
    const ack = (callId: string) =>
      bound.request({ type: 'agent.ack', id: `ack-${callId}`, callId, step: 'limit-set' });
    expect(await ack('ack-other')).toMatchObject({
      type: 'error',
      code: 'forbidden',
      message: expect.stringContaining(
        `callId: call ack-other is another agent's; this token is bound to agent ${OWN}`,
      ),
    });
    expect(await ack('ack-own')).toMatchObject({ type: 'ack', of: 'agent.ack', status: 'accepted' });
    await watcher.seen((m) => m.type === 'call' && m.event === 'moved' && m.call.callId === 'ack-own');
    expect(
      watcher.received.some((m) => m.type === 'call' && m.event === 'moved' && m.call.callId === 'ack-other'),
    ).toBe(false);

    const refused = await sendFeedback(server, TOKENS.boundAgent, 'ack-other');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: 'forbidden',
      message: expect.stringContaining("callId: call ack-other is another agent's"),
    });
    const corrected = await sendFeedback(server, TOKENS.boundAgent, 'ack-own');
    expect(corrected.status).toBe(201);
    expect(await corrected.json()).toMatchObject({ callId: 'ack-own', by: OWN, label: 'neutral' });
    await other.end();
    await own.end();
  });
});

const title = 'a token bound to an agent, with calls shared through Redis';
onRedis(title, (redis) => {
  let a: TestServer;
  let b: TestServer;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    const env = { REDIS_URL: redis().url };
    a = await startServer(env);
    b = await startServer(env);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  describe(title, () => {
    it('is refused, on another instance, a call another agent has there: its agent is read from the shared directory', async () => {
      const producer = await TestClient.connect(`${a.ws}/v1/ingest`, TOKENS.ingest);
      const lines = await TestClient.connect(`${b.ws}/v1/subscribe`, TOKENS.supervisor);
      const bound = await TestClient.connect(`${b.ws}/v1/subscribe`, TOKENS.boundAgent);
      clients.push(producer, lines, bound);
      await subscribe(lines, { tenant: true }, { transcript: true, resume: { 'shared-other': 0 } });
      const other = new CallScript(producer, 'shared-other');
      const own = new CallScript(producer, 'shared-own');
      await other.start(OTHER);
      await own.start(OWN);
      await other.customer('this stupid router has been dead all week');
      await lines.seen(finalLine('shared-other'));

      expect(await subscribe(bound, { callId: 'shared-other' }, { transcript: true })).toMatchObject({
        type: 'error',
        code: 'forbidden',
        message: expect.stringContaining("scope.callId: call shared-other is another agent's"),
      });
      expect(await subscribe(bound, { callId: 'shared-own' })).toMatchObject({
        type: 'subscribed',
        calls: [{ callId: 'shared-own', agentId: OWN }],
      });
      const refused = await sendFeedback(b, TOKENS.boundAgent, 'shared-other');
      expect(refused.status).toBe(403);
      await other.end();
      await own.end();
    }, 30_000);

    it('acknowledges, on another instance than the one driving them, its own call and not another agent’s', async () => {
      const producer = await TestClient.connect(`${a.ws}/v1/ingest`, TOKENS.ingest);
      const watcher = await TestClient.connect(`${b.ws}/v1/subscribe`, TOKENS.supervisor);
      const bound = await TestClient.connect(`${b.ws}/v1/subscribe`, TOKENS.boundAgent);
      clients.push(producer, watcher, bound);
      const resume = { 'remote-ack-other': 0, 'remote-ack-own': 0 };
      await subscribe(watcher, { tenant: true }, { transcript: true, resume });
      const other = new CallScript(producer, 'remote-ack-other');
      const own = new CallScript(producer, 'remote-ack-own');
      await other.start(OTHER);
      await own.start(OWN);
      await other.customer('this stupid router has been dead all week');
      await own.customer('this stupid router has been dead all week');
      await watcher.seen(finalLine('remote-ack-other'));
      await watcher.seen(finalLine('remote-ack-own'));

      const ack = (callId: string) =>
        bound.request({ type: 'agent.ack', id: `ack-${callId}`, callId, step: 'limit-set' });
      expect(await ack('remote-ack-other')).toMatchObject({
        type: 'error',
        code: 'forbidden',
        message: expect.stringContaining(`callId: call remote-ack-other is another agent's`),
      });
      expect(await ack('remote-ack-own')).toMatchObject({ type: 'ack', of: 'agent.ack', status: 'accepted' });
      await watcher.seen((m) => m.type === 'call' && m.event === 'moved' && m.call.callId === 'remote-ack-own');
      await other.end();
      await own.end();
      await callEnded(watcher, 'remote-ack-other');
      expect(
        watcher.received.some((m) => m.type === 'call' && m.event === 'moved' && m.call.callId === 'remote-ack-other'),
      ).toBe(false);
    }, 30_000);
  });
});
