import { Type, type Static } from '@sinclair/typebox';
import { ADAPTERS, type SpeakerAssignment, type SpeakerMap } from '../adapters/index.js';
import type { CallNaming } from '../calls/call-ingest.js';
import { TokenQuery, UNPRINTABLE } from '../protocol/common.js';
import { refusal, type Outcome } from '../protocol/errors.js';
import { oneOf } from '../protocol/one-of.js';
import { queryValidator } from '../protocol/validator.js';

/** `/v1/ingest`'s query string as checked before the upgrade: an unknown `format` is an HTTP 400. */
export const IngestQuery = Type.Composite([
  TokenQuery,
  Type.Object({
    format: Type.Optional(oneOf([...ADAPTERS.keys()])),
  }),
]);
export type IngestQuery = Static<typeof IngestQuery>;

/** 1-128 characters, no spaces, and printable as the protocol's ids are (no control or bidi characters). */
const QueryId = (description: string) =>
  Type.String({
    pattern: `^[^\\s${UNPRINTABLE}]{1,128}$`,
    description,
    errorMessage: 'expected 1-128 characters, no spaces',
  });

/**
 * A provider-format connection (or Twilio webhook) carries one leg of one call, named in the query:
 * `?format=deepgram&callId=..&agentId=..[&teamId=..][&stream=customer][&speakers=0:customer,speaker-1:agent]`.
 * Other parameters (the token, a Twilio webhook's own fields) may stand beside them.
 */
const ProviderQuery = Type.Object({
  callId: QueryId('The call this connection carries a leg of.'),
  agentId: QueryId('The agent on the call.'),
  teamId: Type.Optional(QueryId('The agent’s team.')),
  stream: Type.Optional(QueryId('Which source a single-source connection carries (customer, agent, …).')),
  speakers: Type.Optional(Type.String({ description: 'source:customer|agent|ignore pairs, comma-separated.' })),
});
const checkProviderQuery = queryValidator(ProviderQuery);

export interface ProviderParams extends CallNaming {
  stream?: string;
  speakers: SpeakerMap;
}

const ASSIGNMENTS: readonly string[] = ['customer', 'agent', 'ignore'];

function speakerMap(speakers = ''): Outcome<{ map: SpeakerMap }> {
  const map: [string, SpeakerAssignment][] = [];
  for (const pair of speakers.split(',').filter(Boolean)) {
    const at = pair.lastIndexOf(':');
    const who = pair.slice(at + 1);
    if (at <= 0 || !ASSIGNMENTS.includes(who))
      return refusal(
        'invalid_message',
        `querystring.speakers: "${pair}" should be source:customer, source:agent or source:ignore`,
      );
    map.push([pair.slice(0, at), who as SpeakerAssignment]);
  }
  // fromEntries makes every source an own property, "__proto__" included.
  return { ok: true, map: Object.fromEntries(map) };
}

/** The call a provider connection or Twilio webhook names, or an `invalid_message` naming the parameter at fault. */
export function parseProviderQuery(query: unknown): Outcome<{ params: ProviderParams }> {
  const checked = checkProviderQuery(query);
  if (!checked.ok) return checked;
  const { callId, agentId, teamId, stream, speakers } = checked.value;
  const map = speakerMap(speakers);
  if (!map.ok) return map;
  return {
    ok: true,
    params: { callId, agentId, ...(teamId ? { teamId } : {}), ...(stream ? { stream } : {}), speakers: map.map },
  };
}
