import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { twilioSignature } from '../../src/adapters/twilio-signature.js';
import { CallIngest } from '../../src/calls/call-ingest.js';
import { SharedHub } from '../../src/state/shared-hub.js';
import { CallScript, subscribe } from '../helpers/calls.js';
import { monoFinal } from '../helpers/deepgram.js';
import { startServer, TOKEN_CONFIG, TOKENS, type TestServer } from '../helpers/server.js';
import { twilioLine } from '../helpers/twilio.js';
import { TestClient } from '../helpers/ws-client.js';

const AUTH_TOKEN = 'acme-twilio-auth-token-for-tests';
let server: TestServer;

/** An ingest token of a tenant whose name is a property every plain object has. */
const CONSTRUCTOR_INGEST = 'test-ingest-token-constructor-1';

beforeAll(async () => {
  server = await startServer({
    TWILIO_AUTH_TOKENS: JSON.stringify({ acme: AUTH_TOKEN }),
    AUTH_TOKENS: JSON.stringify([
      ...(JSON.parse(TOKEN_CONFIG) as object[]),
      { token: CONSTRUCTOR_INGEST, tenant: 'constructor', scopes: ['ingest'] },
    ]),
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await server.close();
});

const form = (sequence: number): Record<string, string> => twilioLine('i was charged twice', sequence);

function post(url: string, body: Record<string, string>, signature?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}),
    },
    body: new URLSearchParams(body),
  });
}

describe('X-Twilio-Signature, for a tenant with a Twilio auth token', () => {
  // Twilio cannot send an Authorization header: the ingest token travels in the URL it signs.
  const url = () => `${server.http}/v1/ingest/twilio?callId=tw-sig&agentId=agent-1&token=${TOKENS.ingest}`;

  it('accepts a webhook signed over its URL and form with the tenant token', async () => {
    const body = form(1);
    const response = await post(url(), body, twilioSignature(AUTH_TOKEN, url(), body));
    expect(await response.json()).toEqual({ status: 'accepted', chunks: 1 });
  });

  it('refuses a webhook without a signature, with another token’s, or with a changed body', async () => {
    const body = form(2);
    expect((await post(url(), body)).status).toBe(403);
    expect((await post(url(), body, twilioSignature('someone-elses-token', url(), body))).status).toBe(403);
    const tampered = await post(url(), { ...body, Final: 'false' }, twilioSignature(AUTH_TOKEN, url(), body));
    expect(tampered.status).toBe(403);
    expect((await tampered.json()).message).toContain('X-Twilio-Signature');
  });

  it('checks a GET status callback over its whole URL', async () => {
    const getUrl = `${url()}&${new URLSearchParams(form(3))}`;
    const signed = await fetch(getUrl, { headers: { 'x-twilio-signature': twilioSignature(AUTH_TOKEN, getUrl) } });
    expect(await signed.json()).toEqual({ status: 'accepted', chunks: 1 });
    expect((await fetch(getUrl)).status).toBe(403);
  });
});

describe('a call signed Twilio webhooks feed', () => {
  const query = (callId: string) => `callId=${callId}&agentId=agent-1&token=${TOKENS.ingest}`;
  const webhookUrl = (callId: string) => `${server.http}/v1/ingest/twilio?${query(callId)}`;
  const postSigned = (callId: string, body: Record<string, string>) =>
    post(webhookUrl(callId), body, twilioSignature(AUTH_TOKEN, webhookUrl(callId), body));
  const forged = (sequence: number) => twilioLine('i know where you live and i am coming for you', sequence);

  /** Subscribes to the call, so that a test can tell whether a forged line reached it. */
  async function watch(callId: string): Promise<TestClient> {
    const ui = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.supervisor);
    await subscribe(ui, { callId }, { transcript: true });
    return ui;
  }

  /** A signed line sent after the forged ones reaches the call; none of them did before it. */
  async function onlySignedLinesReached(ui: TestClient, callId: string, sequence: number): Promise<void> {
    expect((await postSigned(callId, twilioLine('can you check my bill', sequence))).status).toBe(200);
    await ui.seen((m) => m.type === 'transcript' && m.isFinal && m.text === 'can you check my bill');
    expect(ui.received.filter((m) => m.type === 'transcript').map((m) => m.text)).not.toContain(
      'i know where you live and i am coming for you',
    );
    expect(ui.cues(callId)).toEqual([]);
  }

  it('refuses the same Twilio fields over a format=twilio WebSocket with the same token (1008, forbidden)', async () => {
    const ui = await watch('tw-ws');
    expect((await postSigned('tw-ws', twilioLine('i was charged twice', 1))).status).toBe(200);
    const socket = await TestClient.connect(`${server.ws}/v1/ingest?format=twilio&${query('tw-ws')}`);
    socket.send(forged(2));
    expect(await socket.next()).toMatchObject({
      type: 'error',
      code: 'forbidden',
      message: expect.stringContaining('X-Twilio-Signature'),
    });
    expect((await socket.closed).code).toBe(1008);
    await onlySignedLinesReached(ui, 'tw-ws', 3);
    ui.close();
  });

  it('refuses another producer’s call.start, transcript, agent.ack and call.end for it, and a leg of another format', async () => {
    const ui = await watch('tw-native');
    expect((await postSigned('tw-native', twilioLine('i was charged twice', 1))).status).toBe(200);
    const producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
    const call = new CallScript(producer, 'tw-native');
    const refused = { type: 'error', code: 'forbidden', message: expect.stringContaining('signed') };
    expect(await call.start('agent-1', undefined)).toMatchObject(refused);
    expect(await call.customer('i know where you live and i am coming for you')).toMatchObject(refused);
    expect(await call.ack('limit-set')).toMatchObject(refused);
    expect(await call.end()).toMatchObject(refused);
    const leg = await TestClient.connect(`${server.ws}/v1/ingest?format=deepgram&${query('tw-native')}`);
    expect(await leg.next()).toMatchObject(refused);
    expect((await leg.closed).code).toBe(1008);
    await onlySignedLinesReached(ui, 'tw-native', 2);
    // The tenant's other calls are its producers' as before.
    expect(await new CallScript(producer, 'tw-other').start()).toMatchObject({ type: 'ack', status: 'accepted' });
    producer.close();
    ui.close();
  });

  it('takes a signed webhook that came while another producer’s call.start was opening, refused for the mark', async () => {
    // The call is marked in the shared state (signed webhooks fed it on an instance that died): the
    // unsigned start reads that mark, slowly enough for the webhook to come meanwhile.
    let readMark!: (marked: boolean) => void;
    const markRead = vi
      .spyOn(SharedHub.prototype, 'signedWebhooksOnly')
      .mockImplementation(() => new Promise((resolve) => (readMark = resolve)));
    const starts = vi.spyOn(CallIngest.prototype, 'start');
    const producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
    const unsigned = new CallScript(producer, 'tw-joined').start('agent-1', undefined);
    await vi.waitFor(() => expect(markRead).toHaveBeenCalled());
    const webhook = postSigned('tw-joined', twilioLine('i was charged twice', 1));
    // The webhook has joined the start, and waits on its opening, before the mark is read.
    await vi.waitFor(() => expect(starts).toHaveBeenCalledTimes(2));
    readMark(true);
    expect(await unsigned).toMatchObject({ type: 'error', code: 'forbidden' });
    expect((await webhook).status).toBe(200);
    producer.close();
  });

  it('turns away a leg that joined before the first signed webhook, from then on', async () => {
    const ui = await watch('tw-early');
    const leg = await TestClient.connect(`${server.ws}/v1/ingest?format=deepgram&${query('tw-early')}`);
    await ui.seen((m) => m.type === 'call' && m.event === 'started');
    expect((await postSigned('tw-early', twilioLine('i was charged twice', 1))).status).toBe(200);
    leg.send(monoFinal('i know where you live and i am coming for you'));
    expect(await leg.next()).toMatchObject({ type: 'error', code: 'forbidden' });
    await onlySignedLinesReached(ui, 'tw-early', 2);
    leg.close();
    ui.close();
  });
});

describe('a tenant named like a property of every object', () => {
  it('is not taken for one with a Twilio auth token: its unsigned webhooks are accepted', async () => {
    const url = `${server.http}/v1/ingest/twilio?callId=tw-ctor&agentId=agent-1&token=${CONSTRUCTOR_INGEST}`;
    const response = await post(url, form(1));
    expect(await response.json()).toEqual({ status: 'accepted', chunks: 1 });
  });
});

describe('X-Twilio-Signature behind a proxy', () => {
  // Twilio signed the public URL; the proxy passes it on in X-Forwarded-Proto and -Host.
  const path = `/v1/ingest/twilio?callId=tw-proxy&agentId=agent-1&token=${TOKENS.ingest}`;
  const publicUrl = `https://calls.example.com${path}`;

  async function viaProxy(env: Record<string, string>, sequence: number): Promise<number> {
    const own = await startServer({ TWILIO_AUTH_TOKENS: JSON.stringify({ acme: AUTH_TOKEN }), ...env });
    try {
      const body = form(sequence);
      const response = await fetch(`${own.http}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'calls.example.com',
          'x-twilio-signature': twilioSignature(AUTH_TOKEN, publicUrl, body),
        },
        body: new URLSearchParams(body),
      });
      return response.status;
    } finally {
      await own.close();
    }
  }

  it('checks the URL the proxy forwarded when TRUST_PROXY names the proxy', async () => {
    expect(await viaProxy({ TRUST_PROXY: '127.0.0.1' }, 1)).toBe(200);
  });

  it('believes no X-Forwarded-Host from a peer TRUST_PROXY does not name', async () => {
    expect(await viaProxy({}, 1)).toBe(403);
  });
});
