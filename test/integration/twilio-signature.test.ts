import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/adapters/twilio-signature.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { twilioLine } from '../helpers/twilio.js';

const AUTH_TOKEN = 'acme-twilio-auth-token-for-tests';
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ TWILIO_AUTH_TOKENS: JSON.stringify({ acme: AUTH_TOKEN }) });
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
