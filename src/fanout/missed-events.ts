import type { LadderStep } from '../protocol/cue.js';
import type { CallSummary, SubscriberEvent, TranscriptEvent } from '../protocol/subscribe-messages.js';

/** Besides its newest cue: what a subscription was last sent of a call, to tell what a cut event feed lost. */
export interface SentBesidesCues {
  /**
   * The newest final line sent; null: none yet, and the subscription has followed the call since
   * it started; unset: not known (followed from a replay, no line since), so none is read back.
   */
  line?: { segmentId: string; labelled: boolean } | null;
  /** The ladder step the subscription was last told, by a cue or a call event. */
  step?: LadderStep;
}

/** Notes what `event`, just sent, told the subscription of its call. */
export function noteSent(sent: SentBesidesCues, event: SubscriberEvent): void {
  if (event.type === 'transcript' && event.isFinal)
    sent.line = { segmentId: event.segmentId, labelled: event.label !== undefined };
  else if (event.type === 'cue') sent.step = event.cue.step;
  else if (event.type === 'call') {
    sent.step = event.call.step;
    if (event.event === 'started') sent.line ??= null;
  }
}

/**
 * What a subscription missed of a call while the event feed was cut, besides its cues (read back
 * from the cue log): the kept final lines after the newest it was sent (that one again when it was
 * labelled meanwhile; every kept line when that one is no longer kept), for a subscription that
 * asked for lines (`kept`); then, for a live call whose step is not the one it was last told (or not
 * known), `moved` with the call as it stands.
 */
export function missedBesidesCues(
  sent: SentBesidesCues,
  kept: readonly TranscriptEvent[] | undefined,
  summary: CallSummary,
): SubscriberEvent[] {
  const missed: SubscriberEvent[] = [];
  if (kept && sent.line !== undefined) {
    const newest = sent.line;
    const at = newest ? lastIndexOfSegment(kept, newest.segmentId) : -1;
    const labelledSince = newest !== null && at >= 0 && !newest.labelled && kept[at]!.label !== undefined;
    missed.push(...kept.slice(labelledSince ? at : at + 1));
  }
  if (!summary.ended && summary.step !== sent.step) missed.push({ type: 'call', event: 'moved', call: summary });
  return missed;
}

function lastIndexOfSegment(lines: readonly TranscriptEvent[], segmentId: string): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.segmentId === segmentId) return i;
  return -1;
}
