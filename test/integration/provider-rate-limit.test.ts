import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callEnded, subscribe } from '../helpers/calls.js';
import { monoFinal, speakerTurns } from '../helpers/deepgram.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer;
let ui: TestClient;

beforeAll(async () => {
  // Four messages at once, one more a second: the message below leaves a debt of twelve seconds.
  server = await startServer({ INGEST_RATE_PER_SEC: '1', INGEST_BURST: '4' });
  ui = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.supervisor);
  await subscribe(ui, { tenant: true }, { transcript: true });
});

afterAll(async () => {
  ui.close();
  await server.close();
});

describe('the ingest rate limit on provider connections', () => {
  it('charges each chunk a message gives: all of it is taken, and the connection then waits', async () => {
    const producer = await TestClient.connect(
      `${server.ws}/v1/ingest?format=deepgram&callId=turns-1&agentId=agent-1`,
      TOKENS.ingest,
    );
    const words = Array.from({ length: 16 }, (_, i) => `word${i + 1}`);
    producer.send(speakerTurns(words));
    await ui.next((m) => m.type === 'transcript' && m.callId === 'turns-1' && m.isFinal && m.text === 'word16');
    // Before, the sixteen finals cost one unit of the four and this message passed.
    producer.send(monoFinal('one more'));
    expect(await producer.next((m) => m.type === 'error')).toMatchObject({ code: 'rate_limited' });

    const ender = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
    expect(await ender.request({ type: 'call.end', id: 'end-turns-1', callId: 'turns-1' })).toMatchObject({
      type: 'ack',
    });
    await callEnded(ui, 'turns-1');
    const finals = ui.received.filter((m) => m.type === 'transcript' && m.callId === 'turns-1' && m.isFinal);
    expect(finals.map((m) => m.text)).toEqual(words);
    producer.close();
    ender.close();
  });
});
