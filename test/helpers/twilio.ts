import { TOKENS } from './server.js';

/** Posts one Twilio transcription webhook, form-encoded as Twilio sends it, to the server at `http`. */
export function postTwilioWebhook(
  http: string,
  query: string,
  form: Record<string, string>,
  token = TOKENS.ingest,
): Promise<Response> {
  return fetch(`${http}/v1/ingest/twilio?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}
