import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS_DIR } from '../../fixtures/fixture-call.js';
import { callEnded } from '../helpers/calls.js';
import { TOKENS } from '../helpers/server.js';
import { postTwilioWebhook } from '../helpers/twilio.js';
import { watchedServer } from '../helpers/watched-server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

/**
 * The providers' own published messages (fixtures/providers/conformance, sources in
 * fixtures/providers/README.md), replayed through the real server: what each becomes on the
 * transcript (speaker, text, finality, times), the errors it is answered with, and the cues.
 */
interface Line {
  speaker: 'customer' | 'agent';
  text: string;
  startMs: number;
  endMs: number;
}

/** A final line as the subscriber sees it: its text and its start and end in ms. */
const said =
  (speaker: Line['speaker']) =>
  (text: string, startMs: number, endMs: number): Line => ({ speaker, text, startMs, endMs });
const customer = said('customer');
const agent = said('agent');

interface Case {
  title: string;
  files: string[];
  /** Extra query parameters for the connection (stream=, speakers=). */
  query?: string;
  finals?: Line[];
  /** Partial texts in order of first appearance. */
  partials?: string[];
  /** Substrings of the error each file is answered with, in order; none expected when left out. */
  errors?: string[];
}

const CASES: Record<string, Case[]> = {
  deepgram: [
    {
      title: 'a final from the SDK tests on mono audio, no stream declared: the customer',
      files: ['python-sdk-final-ensure-domestic-tranquility.json'],
      finals: [customer('Ensure domestic tranquility.', 5900, 7630)],
    },
    {
      title: 'a mono leg declared as the agent',
      files: ['python-sdk-final-united-states.json'],
      query: 'stream=agent',
      finals: [agent('For the United States of America.', 17000, 18660)],
    },
    {
      title: 'interim results from the docs, as published (no type) and with type',
      files: ['docs-interim-another-big.json', 'docs-interim-another-big-problem.variant-type.json'],
      partials: ['another big', 'another big problem'],
    },
    { title: 'an empty final opens nothing', files: ['python-sdk-final-empty.json'] },
    {
      title: 'an is_final piece without speech_final waits for UtteranceEnd, showing its running text',
      files: ['python-sdk-final-testing-123.variant-not-speech-final.json', 'docs-utterance-end.json'],
      partials: ['Testing. 123. Testing. 123.'],
      finals: [customer('Testing. 123. Testing. 123.', 740, 3820)],
    },
    {
      title: 'a piece still waiting when the call ends is finished, not lost',
      files: ['python-sdk-final-testing-123.variant-not-speech-final.json'],
      partials: ['Testing. 123. Testing. 123.'],
      finals: [customer('Testing. 123. Testing. 123.', 740, 3820)],
    },
    {
      title: 'diarized words split the result at the change of speaker; speaker 0 spoke first: the agent',
      files: ['python-sdk-final-testing-123.variant-diarized.json'],
      finals: [agent('Testing. 123.', 1220, 2120), customer('Testing. 123.', 2180, 3640)],
    },
    {
      title: 'diarized words on multichannel audio: the channel says who speaks, not the speaker numbers',
      files: ['python-sdk-final-testing-123.variant-diarized-multichannel.json'],
      finals: [customer('Testing. 123. Testing. 123.', 740, 3820)],
    },
    {
      title: 'Metadata and SpeechStarted are ignored on purpose',
      files: ['asyncapi-metadata.json', 'docs-speech-started.json'],
    },
  ],
  assemblyai: [
    {
      title: 'session, heartbeat-like and revision messages are ignored on purpose',
      files: [
        'node-sdk-begin.json',
        'python-sdk-speech-started.json',
        'python-sdk-warning.json',
        'node-sdk-speaker-revision.json',
        'node-sdk-llm-gateway-response.json',
        'node-sdk-termination.json',
        'python-sdk-termination.json',
      ],
    },
    {
      title: 'a final turn with speaker label A (spoke first): the agent',
      files: ['node-sdk-turn-speaker-label.json'],
      finals: [agent('hello', 0, 0)],
    },
    {
      title: "a final turn whose speaker label is null: the connection's declared leg",
      files: ['node-sdk-turn-speaker-label.variant-null-label.json'],
      query: 'stream=agent',
      finals: [agent('hello', 0, 0)],
    },
    {
      title: "a final turn split where its words' speakers change",
      files: ['python-sdk-turn-word-speakers.json'],
      finals: [agent('Hello', 0, 100), customer('world', 110, 200)],
    },
    {
      title: "a final turn whose label and words' speakers are null: one turn, no stream declared: the customer",
      files: ['python-sdk-turn-word-speakers.variant-null-speakers.json'],
      finals: [customer('Hello world', 0, 200)],
    },
    {
      title: 'a partial turn with speaker label B',
      files: ['python-sdk-turn-partial-speaker-label.json'],
      partials: ['Hello world'],
    },
    {
      title: 'partials from the docs: the text holds final words only',
      files: ['docs-turn-partial-empty.json', 'docs-turn-partial-hi-my.json'],
      partials: ['hi my'],
    },
    {
      title: 'a final turn on a leg declared as the agent',
      files: ['python-sdk-turn-final-hi.json'],
      query: 'stream=agent',
      finals: [agent('hi', 0, 0)],
    },
    {
      title: 'an Error message is reported with its text',
      files: ['python-sdk-error.json'],
      errors: ['Invalid API key'],
    },
  ],
  'amazon-transcribe': [
    {
      title: "the SDK's minimal events and a Call Analytics CategoryEvent give nothing, without error",
      files: [
        'sdk-snapshot-transcript-event-minimal.json',
        'sdk-snapshot-transcript-event-as-yielded.json',
        'sdk-snapshot-call-analytics-category-event-payload.json',
      ],
    },
    {
      title: 'exception events are reported by name, on the wire and as yielded',
      files: [
        'sdk-snapshot-bad-request-exception-payload.json',
        'sdk-snapshot-bad-request-exception-as-yielded.json',
        'sdk-snapshot-limit-exceeded-exception-as-yielded.json',
      ],
      errors: ['exception: __Message__', 'BadRequestException: __Message__', 'LimitExceededException: __Message__'],
    },
    {
      title: 'a Call Analytics UtteranceEvent, its participant role mapped per call',
      files: ['sdk-snapshot-call-analytics-utterance-event-payload.json'],
      query: 'speakers=__ParticipantRole__:customer',
      finals: [customer('__Transcript__', 0, 0)],
    },
    {
      title: 'the same UtteranceEvent as the SDK yields it',
      files: ['sdk-snapshot-call-analytics-utterance-event-as-yielded.json'],
      query: 'speakers=__ParticipantRole__:agent',
      finals: [agent('__Transcript__', 0, 0)],
    },
    {
      title: 'a partial result with stabilization flags',
      files: ['docs-partial-stabilization.variant-braces.json'],
      partials: ['Welcome to Amazon.'],
    },
    {
      title: 'speaker labels split a final at the speaker change; punctuation joins its word',
      files: ['docs-speaker-labels.variant-no-ellipses.json'],
      finals: [agent('From the last chronic fatigue', 18740, 24420), customer('True.', 25220, 25630)],
    },
    {
      title: 'a multichannel result on ch_0',
      files: ['docs-multichannel-result.variant-wire.json'],
      finals: [customer('Left.', 110, 660)],
    },
  ],
  'contact-lens': [
    {
      title: 'session events give nothing',
      files: [
        'docs-data-model-started.variant-json.json',
        'docs-data-model-completed.variant-json.json',
        'docs-data-model-failed.variant-json.json',
      ],
    },
    {
      title: 'an utterance, then its transcript, final when the session completes',
      files: [
        'docs-data-model-started.variant-json.json',
        'docs-data-model-utterance.variant-json.json',
        'docs-data-model-transcript.variant-json.json',
        'docs-data-model-completed.variant-json.json',
      ],
      query: 'speakers=string:customer',
      partials: ['string'],
      finals: [customer('string', 123, 123)],
    },
    {
      title: 'an API response with a transcript and categories, final at call end',
      files: ['boto3-list-segments-response-syntax.variant-json.json'],
      query: 'speakers=string:agent',
      finals: [agent('string', 123, 123)],
    },
    {
      title: 'an unmapped participant role is named',
      files: ['docs-data-model-transcript.variant-json.json'],
      errors: ['no speaker mapping for source "string"'],
    },
  ],
  'google-stt': [
    {
      title: "Google's own streaming example, without resultEndTime",
      files: [1, 2, 3, 4, 5, 6, 7].map((n) => `proto-example-${n}.variant-json.json`),
      partials: ['tube', 'to be a', 'to be or not to be', "that's", 'that is the question'],
      finals: [customer('to be or not to be', 0, 0), customer('that is the question', 0, 0)],
    },
    {
      title: 'resultEndTime as the Node client hands it over',
      files: ['proto-example-4.variant-node-client-end-time.json'],
      finals: [customer('to be or not to be', 0, 3500)],
    },
    {
      title: 'resultEndTime as a REST duration string',
      files: ['proto-example-4.variant-rest-end-time.json'],
      query: 'stream=agent',
      finals: [agent('to be or not to be', 0, 3500)],
    },
    {
      title: 'diarized words from the start of the call split by speaker tag, with their own times',
      files: ['proto-example-7.variant-diarized.json'],
      finals: [agent('to be or not to be', 100, 1600), customer('that is the question', 2100, 3300)],
    },
    { title: 'a speech event gives nothing', files: ['proto-speech-event.variant-json.json'] },
    {
      title: 'a final as the Node client hands it over, every unset field present (error: null)',
      files: ['proto-example-4.variant-node-client-defaults.json'],
      finals: [customer('to be or not to be', 0, 0)],
    },
    {
      title: 'a speech event as the Node client hands it over gives nothing',
      files: ['proto-speech-event.variant-node-client-defaults.json'],
    },
    {
      title: 'an error status is reported with its message',
      files: ['proto-error.variant-json.json'],
      errors: ['Audio Timeout Error'],
    },
  ],
  twilio: [
    {
      title: 'a transcription from start to stop',
      files: [
        'docs-params-transcription-started.variant-form.json',
        'docs-params-content-partial.variant-form.json',
        'docs-params-content-final.variant-form.json',
        'docs-params-content-outbound-final.variant-form.json',
        'docs-params-transcription-stopped.variant-form.json',
      ],
      partials: ['hello i would like to'],
      finals: [
        customer('hello i would like to check my balance', 0, 3400),
        agent('sure i can help with that', 0, 5000),
      ],
    },
    {
      title: 'a transcription-error is reported with its text',
      files: ['docs-params-transcription-error.variant-form.json'],
      errors: ['Internal error'],
    },
  ],
};

const load = (provider: string, file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(PROVIDERS_DIR, 'conformance', provider, file), 'utf8'));

const live = watchedServer();
let callCount = 0;

/** Streams the files on one provider-format connection; the errors it was answered with. */
async function replayStream(provider: string, c: Case, callId: string): Promise<string[]> {
  const producer = await TestClient.connect(
    `${live.server.ws}/v1/ingest?format=${provider}&callId=${callId}&agentId=agent-1&${c.query ?? ''}`,
    TOKENS.ingest,
  );
  for (const file of c.files) producer.send(load(provider, file));
  expect(await producer.request({ type: 'call.end', id: `end-${callId}`, callId })).toMatchObject({ type: 'ack' });
  producer.close();
  return producer.received.filter((m) => m.type === 'error').map((m) => m.message as string);
}

/** Posts the files as Twilio would, one form webhook each; the error messages of the refused ones. */
async function replayWebhooks(c: Case, callId: string): Promise<string[]> {
  const errors: string[] = [];
  const query = `callId=${callId}&agentId=agent-1&${c.query ?? ''}`;
  for (const file of c.files) {
    const response = await postTwilioWebhook(live.server.http, query, load('twilio', file) as Record<string, string>);
    if (response.status !== 200) errors.push(((await response.json()) as Message).message as string);
  }
  if (!c.files.some((file) => file.includes('stopped'))) {
    await postTwilioWebhook(live.server.http, query, {
      TranscriptionEvent: 'transcription-stopped',
      Timestamp: new Date().toISOString(),
    });
  }
  return errors;
}

describe.each(Object.keys(CASES))('%s: published messages through the real server', (provider) => {
  it.each(CASES[provider]!.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    const callId = `conf-${provider}-${++callCount}`;
    const errors = provider === 'twilio' ? await replayWebhooks(c, callId) : await replayStream(provider, c, callId);
    await callEnded(live.ui, callId);

    expect(errors.length).toBe(c.errors?.length ?? 0);
    c.errors?.forEach((expected, i) => expect(errors[i]).toContain(expected));

    const lines = live.ui.received.filter((m) => m.type === 'transcript' && m.callId === callId);
    const finals = lines
      .filter((m) => m.isFinal && m.text.trim() !== '')
      .map(({ speaker, text, startMs, endMs }) => ({ speaker, text, startMs, endMs }));
    expect(finals).toEqual(c.finals ?? []);
    const partials = [...new Set(lines.filter((m) => !m.isFinal).map((m) => m.text as string))];
    expect(partials).toEqual(c.partials ?? []);
    // Genuine provider examples say nothing abusive: the ladder stays quiet (let-vent aside, fixtures/README.md).
    expect(
      live.ui
        .cues(callId)
        .map((cue) => cue.type)
        .filter((type) => type !== 'let-vent'),
    ).toEqual([]);
  });
});
