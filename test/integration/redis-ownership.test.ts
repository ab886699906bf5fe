import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { monoFinal } from '../helpers/deepgram.js';
import { onRedis } from '../helpers/on-redis.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { postTwilioWebhook, twilioLine } from '../helpers/twilio.js';
import { TestClient } from '../helpers/ws-client.js';

/** A Twilio real-time transcription webhook with one final line. */
const ownedLine = (sequence: number, transcript: string): Record<string, string> =>
  twilioLine(transcript, sequence, { callSid: 'CA-owned', transcriptionSid: 'GT-owned' });

const title = 'calls owned before they are acknowledged (Redis, two instances)';

onRedis(title, (redis) =>
  describe(title, () => {
    /** Two instances on one Redis, and a supervisor on B who sees every line of the tenant. */
    let on: { a: TestServer; b: TestServer; teamOnB: TestClient };

    beforeAll(async () => {
      // A lease renewed every third of a second: B gives up waiting for one after a second.
      const env = { REDIS_URL: redis().url, CALL_LEASE_TTL_MS: '1000' };
      const [a, b] = await Promise.all([startServer(env), startServer(env)]);
      const teamOnB = await TestClient.connect(`${b.ws}/v1/subscribe`, TOKENS.supervisor);
      await subscribe(teamOnB, { tenant: true }, { transcript: true });
      on = { a, b, teamOnB };
    });

    afterAll(async () => {
      on.teamOnB.close();
      await Promise.all([on.a.close(), on.b.close()]);
    });

    const line = (callId: string) =>
      on.teamOnB.next((m) => m.type === 'transcript' && m.callId === callId && m.isFinal, 10_000);

    it('answers a Twilio webhook once its instance holds the call: a second instance cannot take a call the first acknowledged', async () => {
      const post = (server: TestServer, form: Record<string, string>) =>
        postTwilioWebhook(server.http, 'callId=tw-owned&agentId=agent-o', form);

      const first = await post(on.a, ownedLine(1, 'my router keeps dropping'));
      expect(await first.json()).toEqual({ status: 'accepted', chunks: 1 });
      expect(await line('tw-owned')).toMatchObject({ text: 'my router keeps dropping' });

      const onB = await post(on.b, ownedLine(2, 'can you check the line'));
      expect(onB.status).toBe(409);
      expect(await onB.json()).toMatchObject({ error: 'call_exists' });

      expect(await (await post(on.a, ownedLine(3, 'thanks for checking'))).json()).toEqual({
        status: 'accepted',
        chunks: 1,
      });
      await post(on.a, { TranscriptionEvent: 'transcription-stopped', Timestamp: new Date().toISOString() });
      await callEnded(on.teamOnB, 'tw-owned');
      const lines = on.teamOnB.received.filter((m) => m.type === 'transcript' && m.callId === 'tw-owned' && m.isFinal);
      expect(lines.map((m) => m.text)).toEqual(['my router keeps dropping', 'thanks for checking']);
    }, 30_000);

    it('refuses a provider connection on a second instance while the first drives its call (call_exists, 1008)', async () => {
      const query = 'format=deepgram&callId=dg-owned&agentId=agent-o&stream=customer';
      const onA = await TestClient.connect(`${on.a.ws}/v1/ingest?${query}`, TOKENS.ingest);
      onA.send(monoFinal('the bill is wrong again'));
      expect(await line('dg-owned')).toMatchObject({ text: 'the bill is wrong again' });

      const onB = await TestClient.connect(`${on.b.ws}/v1/ingest?${query}`, TOKENS.ingest);
      onB.send(monoFinal('this line must not reach the call'));
      expect(await onB.next((m) => m.type === 'error')).toMatchObject({ code: 'call_exists' });
      expect((await onB.closed).code).toBe(1008);

      expect(await onA.request({ type: 'call.end', id: 'end-dg', callId: 'dg-owned' })).toMatchObject({ type: 'ack' });
      await callEnded(on.teamOnB, 'dg-owned');
      const lines = on.teamOnB.received.filter((m) => m.type === 'transcript' && m.callId === 'dg-owned' && m.isFinal);
      expect(lines.map((m) => m.text)).toEqual(['the bill is wrong again']);
      onA.close();
    }, 30_000);

    it('acknowledges call.start on the instance that holds the call only', async () => {
      const producerOnA = await TestClient.connect(`${on.a.ws}/v1/ingest`, TOKENS.ingest);
      const producerOnB = await TestClient.connect(`${on.b.ws}/v1/ingest`, TOKENS.ingest);
      const onA = new CallScript(producerOnA, 'native-owned');
      expect(await onA.start('agent-o')).toMatchObject({ type: 'ack', of: 'call.start' });
      expect(await new CallScript(producerOnB, 'native-owned').start('agent-o')).toMatchObject({
        type: 'error',
        code: 'call_exists',
      });
      await onA.end();
      await callEnded(on.teamOnB, 'native-owned');
      producerOnA.close();
      producerOnB.close();
    }, 30_000);
  }),
);
