import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ RECORD: 'off' });
});

afterAll(async () => {
  await server.close();
});

describe('an agent.ack naming the epoch of the call it is for', () => {
  it('is refused, not applied, once that call has ended and another of its id started; the live epoch is accepted', async () => {
    const producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
    const agent = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.agent);
    await subscribe(agent, { callId: 'ack-epoch' });
    const first = new CallScript(producer, 'ack-epoch');
    await first.start();
    await first.customer('you are a useless idiot');
    const old = (await agent.next((m) => m.type === 'cue' && m.cue.type === 'set-limit', 10_000)).cue.epoch;
    await first.end();
    await callEnded(agent, 'ack-epoch');

    const again = new CallScript(producer, 'ack-epoch');
    await again.start();
    const started = await agent.next((m) => m.type === 'call' && m.event === 'started');
    const live = started.call.epoch as string;
    expect(live).not.toBe(old);

    const refused = {
      type: 'error',
      code: 'unknown_call',
      message: `epoch: call ack-epoch of epoch ${old} has ended; the live call ack-epoch is another (epoch ${live}), and the ack was not applied to it`,
    };
    const onSubscribe = await agent.request({
      type: 'agent.ack',
      id: 'late-1',
      callId: 'ack-epoch',
      step: 'transferred',
      epoch: old,
    });
    expect(onSubscribe).toEqual({ ...refused, id: 'late-1' });
    expect(await again.ack('transferred', old)).toMatchObject(refused);

    // The new call's ladder did not move: its first abuse is a first limit.
    await again.customer('you are a useless idiot');
    expect((await agent.next((m) => m.type === 'cue')).cue).toMatchObject({ seq: 1, epoch: live, type: 'set-limit' });
    expect(agent.received.some((m) => m.type === 'call' && m.event === 'moved')).toBe(false);

    expect(await again.ack('transferred', live)).toMatchObject({ type: 'ack', of: 'agent.ack', status: 'accepted' });
    expect(await agent.next((m) => m.type === 'call' && m.event === 'moved')).toMatchObject({
      call: { epoch: live, step: 'transfer' },
    });
    producer.close();
    agent.close();
  }, 20_000);
});
