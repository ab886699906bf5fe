import { afterEach, describe, expect, it } from 'vitest';
import { CallScript, callEnded, endOfCall, subscribe } from '../helpers/calls.js';
import { onRedis } from '../helpers/on-redis.js';
import { readiness } from '../helpers/readiness.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { TestClient } from '../helpers/ws-client.js';

const KEYWORD_SERVICE = 'test/helpers/keyword-service.ts';

const seqTypes = (client: TestClient, callId: string): string[] =>
  client.cues(callId).map((cue) => `${cue.seq} ${cue.type}`);

/** kill -9 runs of the failover loop: the 20 (about 31 s on two idle cores); `FAILOVER_RUNS` sets another count. */
const FAILOVER_RUNS = Number(process.env.FAILOVER_RUNS ?? 20);

const connect = (service: ServiceProcess, path: string, token: string): Promise<TestClient> =>
  TestClient.connect(`ws://${service.base}${path}`, token);

/** An agent's and a team's subscriptions on `service`. */
async function subscribersOn(
  service: ServiceProcess,
  agentId: string,
  teamId: string,
): Promise<[TestClient, TestClient]> {
  const agent = await connect(service, '/v1/subscribe', TOKENS.agent);
  const team = await connect(service, '/v1/subscribe', TOKENS.supervisor);
  await subscribe(agent, { agentId });
  await subscribe(team, { teamId });
  return [agent, team];
}

const title = 'instances sharing calls through Redis';
onRedis(title, (redisServer) => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  describe(title, () => {
    it('carries a call on at the same step when its instance is killed (kill -9): every subscriber gets every cue once, in order', async () => {
      const env = {
        REDIS_URL: redisServer().url,
        CALL_LEASE_TTL_MS: '1000',
        ORPHAN_CALL_TIMEOUT_MS: '300',
        RECORD: 'off',
      };
      const [a, b] = await Promise.all([
        startServiceProcess(env, KEYWORD_SERVICE),
        startServiceProcess(env, KEYWORD_SERVICE),
      ]);
      cleanup.push(
        () => a.kill(),
        () => b.kill(),
      );
      const [agentOnB, teamOnB] = await subscribersOn(b, 'agent-1', 'team-x');
      const producerOnA = await connect(a, '/v1/ingest', TOKENS.ingest);
      const producerOnB = await connect(b, '/v1/ingest', TOKENS.ingest);
      const call = new CallScript(producerOnA, 'failover-1');
      const other = new CallScript(producerOnB, 'failover-2');
      const deserted = new CallScript(producerOnA, 'failover-deserted');
      await call.start('agent-1', 'team-x');
      await other.start('agent-2', 'team-x');
      await deserted.start('agent-3', 'team-x');
      await deserted.customer('you useless idiot');
      await call.customer('are you deaf you useless idiot');
      await call.customer('whatever you brainless clown you idiot');
      await other.customer('you are a useless idiot');
      await agentOnB.next((m) => m.type === 'cue' && m.cue.callId === 'failover-1' && m.cue.seq === 2, 20_000);

      await a.kill();
      const producerBack = await connect(b, '/v1/ingest', TOKENS.ingest);
      const resumed = new CallScript(producerBack, 'failover-1');
      expect(await resumed.start('agent-1', 'team-x')).toMatchObject({ type: 'ack', status: 'accepted' });
      await resumed.say('customer', 'shut up you pathetic excuse you moron', true, 'after-failover');
      await resumed.end();
      await other.end();
      // call.end is acknowledged before the call drains, so the calls may end in either order.
      await agentOnB.seen(endOfCall('failover-1'));
      await teamOnB.seen(endOfCall('failover-1'));
      await teamOnB.seen(endOfCall('failover-2'));
      // Its producer never came back: another instance finds it without an owner and ends it as an orphan.
      await teamOnB.seen(endOfCall('failover-deserted'), 20_000);

      const failover = ['1 set-limit', '2 warn', '3 transfer', '4 break-debrief'];
      expect(seqTypes(agentOnB, 'failover-1')).toEqual(failover);
      expect(seqTypes(teamOnB, 'failover-1')).toEqual(failover);
      expect(seqTypes(teamOnB, 'failover-2')).toEqual(['1 set-limit', '2 break-debrief']);
      expect(seqTypes(teamOnB, 'failover-deserted')).toEqual(['1 set-limit', '2 break-debrief']);
      // B took over the call A was driving, and the deserted one.
      const onB = await (await fetch(`http://${b.base}/metrics`)).text();
      expect(onB).toMatch(/^callguard_lease_takeovers_total 2$/m);
      for (const client of [agentOnB, teamOnB, producerOnB, producerBack]) client.close();
    }, 120_000);

    it(
      `carries calls on at the same step across ${FAILOVER_RUNS} kill -9 runs in a row: no cue lost or sent twice`,
      async () => {
        const env = { REDIS_URL: redisServer().url, CALL_LEASE_TTL_MS: '1000', RECORD: 'off' };
        const started: Promise<ServiceProcess>[] = [];
        const start = (): Promise<ServiceProcess> => {
          const service = startServiceProcess(env, KEYWORD_SERVICE);
          started.push(service);
          return service;
        };
        cleanup.push(() => Promise.all(started.map(async (service) => (await service).kill())));
        const b = await start();
        // Producer instances, the next one already starting while a run kills the current one.
        const producers = [start(), start()];
        const [agentOnB, teamOnB] = await subscribersOn(b, 'agent-loop', 'team-loop');

        for (let run = 1; run <= FAILOVER_RUNS; run++) {
          const callId = `failover-run-${run}`;
          const a = await producers.shift()!;
          producers.push(start());
          const producerOnA = await connect(a, '/v1/ingest', TOKENS.ingest);
          const call = new CallScript(producerOnA, callId);
          await call.start('agent-loop', 'team-loop');
          await call.customer('are you deaf you useless idiot');
          await call.customer('whatever you brainless clown you idiot');
          await agentOnB.next((m) => m.type === 'cue' && m.cue.callId === callId && m.cue.seq === 2, 20_000);

          await a.kill();
          const producerOnB = await connect(b, '/v1/ingest', TOKENS.ingest);
          const resumed = new CallScript(producerOnB, callId);
          expect(await resumed.start('agent-loop', 'team-loop')).toMatchObject({ type: 'ack', status: 'accepted' });
          await resumed.say('customer', 'shut up you pathetic excuse you moron', true, 'after-failover');
          await resumed.end();
          await callEnded(agentOnB, callId);
          await callEnded(teamOnB, callId);
          // The third abusive line is a transfer only if B carried the ladder on at step 2, under the same epoch.
          const expected = ['1 set-limit', '2 warn', '3 transfer', '4 break-debrief'];
          expect({ run, agent: seqTypes(agentOnB, callId), team: seqTypes(teamOnB, callId) }).toEqual({
            run,
            agent: expected,
            team: expected,
          });
          expect(new Set(teamOnB.cues(callId).map((cue) => cue.epoch)).size).toBe(1);
          producerOnA.close();
          producerOnB.close();
        }
        agentOnB.close();
        teamOnB.close();
      },
      60_000 + FAILOVER_RUNS * 10_000,
    );

    it('keeps a live call through a Redis restart: not ready while Redis is away, then every acknowledged line and cue, once and in order', async () => {
      const env = {
        REDIS_URL: redisServer().url,
        CALL_LEASE_TTL_MS: '1000',
        LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent',
      };
      const servers: TestServer[] = [await startServer(env), await startServer(env)];
      cleanup.push(...servers.map((server) => () => server.close()));
      const [a, b] = servers as [TestServer, TestServer];
      const agentOnB = await TestClient.connect(`${b.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(agentOnB, { agentId: 'agent-r' });
      const producer = await TestClient.connect(`${a.ws}/v1/ingest`, TOKENS.ingest);
      const call = new CallScript(producer, 'redis-restart');
      await call.start('agent-r', 'team-r');
      await call.customer('you useless idiot');
      await agentOnB.next((m) => m.type === 'cue' && m.cue.callId === 'redis-restart');

      await redisServer().kill();
      expect(await readiness(a.http, 503)).toEqual({ status: 'redis_unreachable' });
      // Acknowledged while Redis is away: applied once it is back.
      expect(await call.customer('shut up you moron')).toMatchObject({ type: 'ack', status: 'accepted' });
      await redisServer().restart();
      expect(await readiness(a.http, 200)).toMatchObject({ status: 'ready' });
      await call.customer('you pathetic excuse');
      await call.end();
      await callEnded(agentOnB, 'redis-restart');
      expect(seqTypes(agentOnB, 'redis-restart')).toEqual(['1 set-limit', '2 warn', '3 transfer', '4 break-debrief']);
      expect(new Set(agentOnB.cues('redis-restart').map((cue) => cue.epoch)).size).toBe(1);
      // What an operator sees of it: each connection back once, every cue's append timed.
      const onA = await (await fetch(`${a.http}/metrics`)).text();
      expect(onA).toMatch(/^callguard_redis_reconnects_total\{connection="store"\} 1$/m);
      expect(onA).toMatch(/^callguard_redis_reconnects_total\{connection="events"\} 1$/m);
      expect(onA).toMatch(/^callguard_redis_cue_append_seconds_count 4$/m);
      agentOnB.close();
      producer.close();
    }, 60_000);
  });
});
