import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { twilioSignature } from '../../src/adapters/twilio-signature.js';
import { SharedHub } from '../../src/state/shared-hub.js';
import { CallScript, endOfCall, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { twilioLine } from '../helpers/twilio.js';
import { TestClient } from '../helpers/ws-client.js';

const AUTH_TOKEN = 'acme-twilio-auth-token-for-tests';
let server: TestServer;
const unhandled: unknown[] = [];
const noteUnhandled = (reason: unknown): number => unhandled.push(reason);

beforeAll(async () => {
  // acme has a Twilio auth token (its call.start reads the signed-webhooks mark); globex has none.
  server = await startServer({ RECORD: 'off', TWILIO_AUTH_TOKENS: JSON.stringify({ acme: AUTH_TOKEN }) });
  process.on('unhandledRejection', noteUnhandled);
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  process.off('unhandledRejection', noteUnhandled);
  await server.close();
});

/** The shared store's `method` fails as ioredis's commands do once Redis stays unreachable. */
const storeDown = (method: 'signedWebhooksOnly' | 'openCall' | 'markSignedWebhooksOnly') =>
  vi.spyOn(SharedHub.prototype, method).mockRejectedValue(new Error('Reached the max retries per request limit'));

const unavailable = { type: 'error', code: 'unavailable', message: expect.stringContaining('unreachable') };

describe('a call.start while the shared call store cannot be reached', () => {
  it.each([
    ['reading the signed-webhooks mark (a tenant with a Twilio auth token)', TOKENS.ingest, 'signedWebhooksOnly'],
    ['taking the lease (a tenant without one)', TOKENS.otherIngest, 'openCall'],
  ] as const)('is answered unavailable on /v1/ingest, failing at %s', async (_, token, method) => {
    storeDown(method);
    const producer = await TestClient.connect(`${server.ws}/v1/ingest`, token);
    expect(await new CallScript(producer, `down-${method}`).start()).toMatchObject(unavailable);
    producer.close();
    expect(unhandled).toEqual([]);
  });

  it('closes a provider connection after telling it unavailable', async () => {
    storeDown('signedWebhooksOnly');
    const leg = await TestClient.connect(
      `${server.ws}/v1/ingest?format=deepgram&callId=down-leg&agentId=agent-1&token=${TOKENS.ingest}`,
    );
    expect(await leg.next()).toMatchObject(unavailable);
    expect((await leg.closed).code).toBe(1008);
  });

  it('answers a signed Twilio webhook 503 when its mark cannot be written, logs why and leaves no call behind', async () => {
    const supervisor = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.supervisor);
    await subscribe(supervisor, { tenant: true });
    storeDown('markSignedWebhooksOnly');
    const logged = vi.spyOn(server.app.log, 'error');
    const url = `${server.http}/v1/ingest/twilio?callId=down-twilio&agentId=agent-1&token=${TOKENS.ingest}`;
    const body = twilioLine('i was charged twice', 1);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(AUTH_TOKEN, url, body),
      },
      body: new URLSearchParams(body),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'unavailable' });
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ callId: 'down-twilio', err: expect.any(Error) }),
      expect.stringContaining('signed-webhooks-only mark'),
    );
    // The call it started is ended, not left live (holding its lease) while unmarked in the shared state.
    await supervisor.next(endOfCall('down-twilio'));
    supervisor.close();
  });
});
