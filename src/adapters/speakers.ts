import type { AdapterContext, SpeakerAssignment, SpeakerMap, TranscriptAdapter } from './adapter.js';

export type SpeakerLookup = { ok: true; assignment: SpeakerAssignment } | { ok: false; problem: string };

/** The per-call mapping wins over the adapter's defaults. */
export function lookUpSpeaker(adapter: TranscriptAdapter, ctx: AdapterContext, sourceKey: string): SpeakerLookup {
  const assignment = ctx.speakers[sourceKey] ?? adapter.defaultSpeakers[sourceKey];
  if (assignment === undefined) {
    return { ok: false, problem: `no speaker mapping for source "${sourceKey}"; map it to customer, agent or ignore` };
  }
  return { ok: true, assignment };
}

/** Stream labels a connection can declare for single-source providers, valid for every adapter. */
export const STREAM_LABEL_SPEAKERS = { customer: 'customer', agent: 'agent' } as const satisfies SpeakerMap;

/** The provider's own source key, else the connection's declared stream, else "default". */
export const sourceKeyOf = (providerKey: string | undefined, ctx: AdapterContext): string => providerKey ?? ctx.stream ?? 'default';
