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

/** A webhook's Timestamp, `atMs` after 10:00 on 5 January 2026 (every test call's start). */
export const twilioTime = (atMs: number): string => new Date(Date.UTC(2026, 0, 5, 10, 0, 0) + atMs).toISOString();

/** A transcription-content webhook's form: one line, final unless told otherwise, at `twilioTime(atMs)`. */
export function twilioLine(
  transcript: string,
  sequence: number,
  { track = 'inbound_track', final = true, atMs = sequence * 1000, callSid = 'CA1', transcriptionSid = 'GT1' } = {},
): Record<string, string> {
  return {
    TranscriptionEvent: 'transcription-content',
    CallSid: callSid,
    TranscriptionSid: transcriptionSid,
    Track: track,
    TranscriptionData: JSON.stringify({ transcript, confidence: 0.9 }),
    Final: String(final),
    SequenceId: String(sequence),
    Timestamp: twilioTime(atMs),
  };
}
