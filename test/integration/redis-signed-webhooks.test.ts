import { describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/adapters/twilio-signature.js';
import { CallScript, subscribe } from '../helpers/calls.js';
import { onRedis } from '../helpers/on-redis.js';
import { TOKENS, type TestServer } from '../helpers/server.js';
import { twilioLine } from '../helpers/twilio.js';
import { twoInstancesOn } from '../helpers/two-instances.js';

const AUTH_TOKEN = 'acme-twilio-auth-token-for-tests';
const title = 'a call signed Twilio webhooks feed, taken over by another instance (Redis, two instances)';

onRedis(title, (redis) =>
  describe(title, () => {
    const { instances, connect } = twoInstancesOn(redis, { TWILIO_AUTH_TOKENS: JSON.stringify({ acme: AUTH_TOKEN }) });
    const query = (callId: string) => `callId=${callId}&agentId=agent-1&token=${TOKENS.ingest}`;
    const postSigned = (server: TestServer, callId: string, body: Record<string, string>) => {
      const url = `${server.http}/v1/ingest/twilio?${query(callId)}`;
      return fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(AUTH_TOKEN, url, body),
        },
        body: new URLSearchParams(body),
      });
    };
    const refused = { type: 'error', code: 'forbidden', message: expect.stringContaining('signed') };

    it('B refuses an unsigned call.start and a leg for it once A stopped, takes it over from a signed webhook, and forgets the mark when the call ends', async () => {
      const [a, b] = await instances();
      expect((await postSigned(a, 'tw-over', twilioLine('i was charged twice', 1))).status).toBe(200);
      await a.close();

      const producerOnB = await connect(b, '/v1/ingest', TOKENS.ingest);
      const call = new CallScript(producerOnB, 'tw-over');
      expect(await call.start('agent-1', undefined)).toMatchObject(refused);
      const leg = await connect(b, `/v1/ingest?format=deepgram&${query('tw-over')}`);
      expect(await leg.next()).toMatchObject(refused);
      expect((await leg.closed).code).toBe(1008);

      expect((await postSigned(b, 'tw-over', twilioLine('can you check my bill', 2))).status).toBe(200);
      expect(await call.customer('i know where you live and i am coming for you')).toMatchObject(refused);
      const stopped = { TranscriptionEvent: 'transcription-stopped', CallSid: 'CA1', TranscriptionSid: 'GT1' };
      expect((await postSigned(b, 'tw-over', stopped)).status).toBe(200);
      expect(await call.start('agent-1', undefined)).toMatchObject({ type: 'ack', status: 'accepted' });
    }, 30_000);

    it('refuses an unsigned producer’s agent.ack on B for the call A drives; the agent’s own, on B, counts', async () => {
      const [a, b] = await instances();
      expect((await postSigned(a, 'tw-ack', twilioLine('i was charged twice', 1))).status).toBe(200);
      const producerOnB = await connect(b, '/v1/ingest', TOKENS.ingest);
      expect(await new CallScript(producerOnB, 'tw-ack').ack('limit-set')).toMatchObject(refused);
      const agentOnB = await connect(b, '/v1/subscribe', TOKENS.agent);
      await subscribe(agentOnB, { callId: 'tw-ack' });
      const acked = await agentOnB.request({ type: 'agent.ack', id: 'k1', callId: 'tw-ack', step: 'limit-set' });
      expect(acked).toMatchObject({ type: 'ack', status: 'accepted' });
      expect(await agentOnB.next((m) => m.type === 'call' && m.event === 'moved')).toMatchObject({
        call: { step: 'limit' },
      });
    }, 30_000);

    it('keeps a call B adopted from its orphan sweep to signed webhooks', async () => {
      const [a, b] = await instances();
      const watcher = await connect(b, '/v1/subscribe', TOKENS.supervisor);
      await subscribe(watcher, { callId: 'tw-orphan' });
      expect((await postSigned(a, 'tw-orphan', twilioLine('i was charged twice', 1))).status).toBe(200);
      await watcher.next((m) => m.type === 'call' && m.event === 'started');
      await a.close();
      // B's sweep finds the call without a lease twice, a lease apart, and adopts it: started again, on B.
      await watcher.next((m) => m.type === 'call' && m.event === 'started', 10_000);

      const producerOnB = await connect(b, '/v1/ingest', TOKENS.ingest);
      const call = new CallScript(producerOnB, 'tw-orphan');
      expect(await call.customer('i know where you live and i am coming for you')).toMatchObject(refused);
      expect(await call.start('agent-1', undefined)).toMatchObject(refused);
    }, 30_000);
  }),
);
