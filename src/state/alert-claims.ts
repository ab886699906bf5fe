import { refusal, type Outcome } from '../protocol/errors.js';
import type { AlertClaimed } from '../protocol/subscribe-messages.js';
import type { CallStore, HubObserver } from './call-state.js';

/**
 * A supervisor takes on a safety alert: the first claim stands, from whichever instance (no lease
 * needed); it answers with the claim that stands. `observe` hears of a claim that is new.
 */
export async function claimAlert(
  store: CallStore,
  { tenant, callId, seq, by }: { tenant: string; callId: string; seq: number; by: string },
  observe?: HubObserver,
): Promise<Outcome<{ claim: AlertClaimed }>> {
  const ref = { tenant, callId };
  const entry = await store.directory.entry(ref);
  if (!entry) return refusal('unknown_call', `callId: no call ${callId}`);
  const cue = await store.cues.get(ref, seq);
  if (cue?.type !== 'safety-alert')
    return refusal('invalid_message', `seq: cue ${seq} of call ${callId} is not a safety alert`);
  const claim: AlertClaimed = { type: 'alert.claimed', callId, seq, by, at: Date.now() };
  const { standing, fresh } = await store.claims.claim(entry.info, claim);
  if (fresh) observe?.(entry.info, claim, { claimedEpoch: cue.epoch });
  return { ok: true, claim: standing };
}
