import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { onRedis } from '../helpers/on-redis.js';
import { readiness } from '../helpers/readiness.js';
import { redisLink, type RedisLink } from '../helpers/redis.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

const title = 'an instance cut off from Redis';
onRedis(title, (redis) => {
  let link: RedisLink;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    link = await redisLink(redis().port);
    const env = { REDIS_URL: redis().url, CALL_LEASE_TTL_MS: '5000' };
    a = await startServer(env);
    // B reaches Redis through a link the test cuts: its event feed misses what A publishes meanwhile.
    b = await startServer({ ...env, REDIS_URL: link.url });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await link?.close();
  });

  describe(title, () => {
    it('sends its subscribers, once back, the cues, final lines and step change raised meanwhile, each once', async () => {
      const agentOnB = await TestClient.connect(`${b.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(agentOnB, { agentId: 'agent-cut' }, { transcript: true });
      const producer = await TestClient.connect(`${a.ws}/v1/ingest`, TOKENS.ingest);
      const call = new CallScript(producer, 'feed-cut');
      await call.start('agent-cut', 'team-cut');
      await call.customer('you are a useless idiot');
      await agentOnB.next((m) => m.type === 'cue' && m.cue.callId === 'feed-cut');

      link.cut();
      await readiness(b.http, 503);
      // A conditional warning said by the agent moves the ladder on without a cue.
      await call.agent('if this carries on i will need to pass you to my manager');
      await call.customer('i just want my bill fixed');
      link.restore();
      await readiness(b.http, 200);
      const moved = await agentOnB.next((m) => m.type === 'call' && m.event === 'moved', 10_000);
      expect(moved.call).toMatchObject({ callId: 'feed-cut', step: 'warning', lastSeq: 1 });

      await call.customer('whatever you useless idiot');
      await call.end();
      await callEnded(agentOnB, 'feed-cut');
      const received = (type: string): Message[] =>
        agentOnB.received.filter((m: Message) => m.type === type && (m.callId ?? m.call?.callId) === 'feed-cut');
      expect(agentOnB.cues('feed-cut').map((cue) => `${cue.seq} ${cue.type}`)).toEqual([
        '1 set-limit',
        '2 transfer',
        '3 break-debrief',
      ]);
      expect(received('call').map((m) => `${m.event} ${m.call.step}`)).toEqual([
        'started listen',
        'moved warning',
        expect.stringMatching(/^ended /),
      ]);
      const labelled = received('transcript').filter((m) => m.isFinal && m.label !== undefined);
      expect(labelled.map((m) => m.text)).toEqual([
        'you are a useless idiot',
        'if this carries on i will need to pass you to my manager',
        'i just want my bill fixed',
        'whatever you useless idiot',
      ]);
      agentOnB.close();
      producer.close();
    }, 60_000);

    it('sends a socket whose subscriptions overlap (agent and team) each event it missed once, in order', async () => {
      const supervisorOnB = await TestClient.connect(`${b.ws}/v1/subscribe`, TOKENS.supervisor);
      await subscribe(supervisorOnB, { agentId: 'agent-overlap' });
      await subscribe(supervisorOnB, { teamId: 'team-overlap' });
      // What the call sends, as a socket on the instance that stays connected gets it.
      const agentOnA = await TestClient.connect(`${a.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(agentOnA, { agentId: 'agent-overlap' });
      const producer = await TestClient.connect(`${a.ws}/v1/ingest`, TOKENS.ingest);
      const call = new CallScript(producer, 'feed-cut-overlap');
      const cueOf = (seq: number) => (m: Message) =>
        m.type === 'cue' && m.cue.callId === call.callId && m.cue.seq === seq;
      await call.start('agent-overlap', 'team-overlap');
      await call.customer('you are a useless idiot');
      await supervisorOnB.next(cueOf(1));

      link.cut();
      await readiness(b.http, 503);
      await call.customer('whatever you useless idiot');
      await agentOnA.next(cueOf(2));
      link.restore();
      await readiness(b.http, 200);
      await supervisorOnB.next(cueOf(2), 10_000);

      await call.customer('are you deaf you useless idiot');
      await call.end();
      await Promise.all([callEnded(supervisorOnB, call.callId), callEnded(agentOnA, call.callId)]);
      const shown = (client: TestClient) => client.cues(call.callId).map((cue) => `${cue.seq} ${cue.type}`);
      expect(shown(agentOnA)).toHaveLength(4);
      expect(shown(supervisorOnB)).toEqual(shown(agentOnA));
      const started = supervisorOnB.received.filter(
        (m: Message) => m.type === 'call' && m.event === 'started' && m.call.callId === call.callId,
      );
      expect(started).toHaveLength(1);
      supervisorOnB.close();
      agentOnA.close();
      producer.close();
    }, 60_000);

    it('answers label feedback at once with 503 while the lines it needs cannot be read', async () => {
      link.cut();
      await readiness(b.http, 503);
      const response = await fetch(`${b.http}/v1/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.supervisor}`, 'content-type': 'application/json' },
        body: JSON.stringify({ callId: 'feed-cut', segmentId: 'any', label: 'neutral' }),
      });
      link.restore();
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'unavailable' });
      await readiness(b.http, 200);
    }, 30_000);
  });
});
