import { refusal, type Outcome } from '../protocol/errors.js';
import type { AdapterContext, SpeakerAssignment, SpeakerMap, TranscriptAdapter } from './adapter.js';

export type SpeakerLookup = Outcome<{ assignment: SpeakerAssignment }>;

/** Source key of a diarized speaker label (Deepgram 0, Transcribe "0", AssemblyAI "A", Google 1). */
export const diarizedKey = (label: string | number): string => `speaker-${label}`;

/**
 * What is left when neither the call nor the adapter maps a source:
 * - `default`, a single stream that declared no `stream=`, is the customer: one speaker needs no map;
 * - a diarized speaker beyond the ones the adapter names is a customer (FIRST_SPEAKER_IS_AGENT:
 *   the provider's first label, the one who spoke first, usually the agent's greeting, is the
 *   agent; everyone else on the line is on the caller's side).
 */
function fallback(sourceKey: string): SpeakerAssignment | undefined {
  if (sourceKey === DEFAULT_SOURCE || sourceKey.startsWith(diarizedKey(''))) return 'customer';
  return undefined;
}

/** A source named like a property every object has ("constructor", "__proto__") is mapped only if the map says so. */
const ownEntry = (map: SpeakerMap, sourceKey: string): SpeakerAssignment | undefined =>
  Object.hasOwn(map, sourceKey) ? map[sourceKey] : undefined;

/** The per-call mapping wins over the adapter's defaults. */
export function lookUpSpeaker(adapter: TranscriptAdapter, ctx: AdapterContext, sourceKey: string): SpeakerLookup {
  const assignment =
    ownEntry(ctx.speakers, sourceKey) ?? ownEntry(adapter.defaultSpeakers, sourceKey) ?? fallback(sourceKey);
  if (assignment === undefined) {
    return refusal(
      'invalid_message',
      `no speaker mapping for source "${sourceKey}"; map it to customer, agent or ignore (speakers=${sourceKey}:customer)`,
    );
  }
  return { ok: true, assignment };
}

/** Stream labels a connection can declare for single-source providers, valid for every adapter. */
export const STREAM_LABEL_SPEAKERS = { customer: 'customer', agent: 'agent' } as const satisfies SpeakerMap;

const DEFAULT_SOURCE = 'default';

/**
 * The defaults of a provider that numbers channels and diarized speakers from `first`: on
 * two-channel audio the customer is the first channel; diarized speakers are numbered in order of
 * appearance, and the first to speak is the agent (FIRST_SPEAKER_IS_AGENT).
 */
export const twoPartySpeakers = (first: number): SpeakerMap => ({
  ...STREAM_LABEL_SPEAKERS,
  [`channel-${first}`]: 'customer',
  [`channel-${first + 1}`]: 'agent',
  [diarizedKey(first)]: 'agent',
  [diarizedKey(first + 1)]: 'customer',
});

/** The provider's own source key, else the connection's declared stream, else "default". */
export const sourceKeyOf = (providerKey: string | undefined, ctx: AdapterContext): string =>
  providerKey ?? ctx.stream ?? DEFAULT_SOURCE;
