import { describe, expect, it } from 'vitest';
import { CallStore } from '../../src/console/page/call-store.js';
import type { SubscriberEvent } from '../../src/protocol/subscribe-messages.js';
import { CallScript, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS } from '../helpers/server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

/** Events a subscriber received, as the console's store takes them. */
const events = (client: TestClient): SubscriberEvent[] =>
  client.received.filter((m: Message) => !['subscribed', 'ack', 'error'].includes(m.type)) as SubscriberEvent[];

describe('a restart of the service', () => {
  it('gives the re-started call a new epoch: a resuming subscriber gets a reset and the new 1: safety-alert, and the console shows it', async () => {
    const store = new CallStore(() => {});
    const before = await startServer();
    const producer = await TestClient.connect(`${before.ws}/v1/ingest`, TOKENS.ingest);
    const ui = await TestClient.connect(`${before.ws}/v1/subscribe`, TOKENS.agent);
    store.applySummaries((await subscribe(ui, { callId: 'rs-1' })).calls);
    const call = new CallScript(producer, 'rs-1');
    await call.start();
    await call.customer('you are a useless idiot');
    await call.customer('are you a moron or just pretending');
    const seen = (await ui.next((m) => m.type === 'cue' && m.cue.type === 'warn')).cue;
    expect(seen.seq).toBe(2);
    for (const event of events(ui)) store.apply(event);
    await before.close();

    const after = await startServer();
    try {
      const again = await TestClient.connect(`${after.ws}/v1/ingest`, TOKENS.ingest);
      const restarted = new CallScript(again, 'rs-1');
      await restarted.start();
      await restarted.customer('i know where you live and i am coming for you');
      // The console resumes from what its store holds: seq 2 of the old epoch.
      const resume = store.resumePoints();
      expect(resume).toEqual({ 'rs-1': { epoch: seen.epoch, seq: 2 } });
      const console = await TestClient.connect(`${after.ws}/v1/subscribe`, TOKENS.agent);
      const subscribed = await subscribe(console, { callId: 'rs-1' }, { resume });
      const reset = await console.next((m) => m.type === 'reset');
      const alert = (await console.next((m) => m.type === 'cue')).cue;
      expect(alert).toMatchObject({ seq: 1, type: 'safety-alert', epoch: reset.epoch });
      expect(alert.epoch).not.toBe(seen.epoch);
      store.applySummaries(subscribed.calls);
      for (const event of events(console)) store.apply(event);
      expect(store.current()?.cue).toMatchObject({ seq: 1, type: 'safety-alert' });

      // A bare seq beyond what the call has is also recognised as another numbering.
      const legacy = await TestClient.connect(`${after.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(legacy, { callId: 'rs-1' }, { resume: { 'rs-1': 2 } });
      expect((await legacy.next((m) => m.type === 'reset' || m.type === 'cue')).type).toBe('reset');
      expect((await legacy.next((m) => m.type === 'cue')).cue.type).toBe('safety-alert');
      for (const client of [again, console, legacy]) client.close();
    } finally {
      await after.close();
    }
  });
});
