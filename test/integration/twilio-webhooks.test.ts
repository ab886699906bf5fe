import { describe, expect, it } from 'vitest';
import { callEnded } from '../helpers/calls.js';
import { TOKENS } from '../helpers/server.js';
import { postTwilioWebhook, twilioLine, twilioTime } from '../helpers/twilio.js';
import { watchedServer } from '../helpers/watched-server.js';
import type { Message } from '../helpers/ws-client.js';

const live = watchedServer();

let sequence = 0;
const content = (track: string, transcript: string, final: boolean, atMs: number): Record<string, string> =>
  twilioLine(transcript, ++sequence, { track, final, atMs });

const post = (query: string, form: Record<string, string>, token?: string): Promise<Response> =>
  postTwilioWebhook(live.server.http, query, form, token);

/** Posts a webhook the service must refuse; its 400 body. */
async function refusal(query: string, form: Record<string, string>): Promise<Message> {
  const response = await post(query, form);
  expect(response.status).toBe(400);
  return (await response.json()) as Message;
}

describe('POST /v1/ingest/twilio', () => {
  it('opens the call with its first webhook, labels the speech and ends it on transcription-stopped', async () => {
    const query = 'callId=tw-1&agentId=agent-3&teamId=team-a';
    const started = {
      TranscriptionEvent: 'transcription-started',
      CallSid: 'CA1',
      TranscriptionSid: 'GT1',
      Timestamp: twilioTime(0),
    };
    expect((await post(query, started)).status).toBe(200);
    expect(await live.ui.next((m) => m.type === 'call' && m.event === 'started')).toMatchObject({
      call: { callId: 'tw-1', agentId: 'agent-3' },
    });

    const partial = await post(query, content('inbound_track', 'you are a useless', false, 1500));
    expect(await partial.json()).toEqual({ status: 'accepted', chunks: 1 });
    await post(query, content('inbound_track', 'you are a useless idiot', true, 2500));
    const transcript = await live.ui.next((m) => m.type === 'transcript' && m.isFinal);
    expect(transcript).toMatchObject({
      callId: 'tw-1',
      speaker: 'customer',
      text: 'you are a useless idiot',
      label: 'abusive',
      endMs: 2500,
    });
    expect((await live.ui.next((m) => m.type === 'cue')).cue).toMatchObject({ callId: 'tw-1', type: 'set-limit' });

    const stopped = await post(query, { ...started, TranscriptionEvent: 'transcription-stopped' });
    expect(stopped.status).toBe(200);
    await callEnded(live.ui, 'tw-1');
  });

  it('answers a malformed webhook with 400 naming the field, and the call goes on', async () => {
    const query = 'callId=tw-2&agentId=agent-3';
    expect(
      await refusal(query, { ...content('inbound_track', 'hello', true, 100), TranscriptionData: 'not json' }),
    ).toMatchObject({
      error: 'invalid_message',
      message: expect.stringContaining('TranscriptionData'),
    });

    expect((await refusal(query, { Track: 'inbound_track' })).message).toContain('TranscriptionEvent');

    const fine = await post(query, content('inbound_track', 'i would like to check my balance', true, 900));
    expect(await fine.json()).toEqual({ status: 'accepted', chunks: 1 });
    expect(await live.ui.next((m) => m.type === 'transcript' && m.callId === 'tw-2' && m.isFinal)).toMatchObject({
      label: 'neutral',
    });
  });

  it('needs the call parameters and an ingest token', async () => {
    const hello = () => content('inbound_track', 'hello', true, 100);
    expect((await refusal('callId=tw-3', hello())).message).toBe('querystring.agentId: expected required property');
    expect((await refusal('callId=tw%203&agentId=a', hello())).message).toBe(
      'querystring.callId: expected 1-128 characters, no spaces',
    );

    expect((await post('callId=tw-3&agentId=a', hello(), 'not-a-token-at-all')).status).toBe(401);
    expect((await post('callId=tw-3&agentId=a', hello(), TOKENS.agent)).status).toBe(403);
  });

  it('drops a retried webhook instead of reopening its segment', async () => {
    const query = 'callId=tw-4&agentId=agent-3';
    const form = content('outbound_track', 'thanks for calling', true, 800);
    expect(await (await post(query, form)).json()).toEqual({ status: 'accepted', chunks: 1 });
    expect(await (await post(query, form)).json()).toEqual({
      status: 'accepted',
      chunks: 0,
      dropped: ['retried_webhook'],
    });
  });

  it('refuses a forged huge SequenceId, so later real webhooks still count', async () => {
    const query = 'callId=tw-5&agentId=agent-3';
    const forged = await refusal(query, {
      ...content('inbound_track', 'ignore me', true, 100),
      SequenceId: '1000000000000000',
    });
    expect(forged.message).toContain('SequenceId');
    const later = await post(query, content('inbound_track', 'my card was charged twice', true, 900));
    expect(await later.json()).toEqual({ status: 'accepted', chunks: 1 });
  });

  it('takes a status callback configured as GET, its fields in the query', async () => {
    const form = content('outbound_track', 'how can i help you today', true, 1200);
    const response = await fetch(
      `${live.server.http}/v1/ingest/twilio?callId=tw-6&agentId=agent-3&${new URLSearchParams(form)}`,
      {
        headers: { authorization: `Bearer ${TOKENS.ingest}` },
      },
    );
    expect(await response.json()).toEqual({ status: 'accepted', chunks: 1 });
    expect(await live.ui.next((m) => m.type === 'transcript' && m.callId === 'tw-6' && m.isFinal)).toMatchObject({
      speaker: 'agent',
      text: 'how can i help you today',
    });
  });
});
