import { randomUUID } from 'node:crypto';
import type { CueDraft, LadderState } from '../ladder/state.js';
import type { Cue, LadderStep } from '../protocol/cue.js';
import type { CallSummary } from '../protocol/subscribe-messages.js';
import type { Transition } from './call-state.js';
import type { OwnedCall } from './call-ownership.js';

/** What a ladder step computes from the state it is given: the ladder stays pure, the hub may run it again. */
export type LadderRun = (state: LadderState) => { state: LadderState; cues: CueDraft[] };

/** The call as subscribers list it; `lastSeq` and `step` as a transition about to be written leaves them. */
export const summaryOf = (
  call: OwnedCall,
  lastSeq = call.lastSeq,
  step: LadderStep = call.ladder.step,
): CallSummary => ({
  callId: call.info.callId,
  agentId: call.info.agentId,
  ...(call.info.teamId !== undefined ? { teamId: call.info.teamId } : {}),
  epoch: call.epoch,
  lastSeq,
  step,
  ended: call.ended,
});

/**
 * Runs one ladder step from the call's state and numbers the cues it raises after the call's
 * last, in the call's epoch. `segmentReceivedAt`: when the line that raised them arrived.
 */
export function numberedTransition(call: OwnedCall, run: LadderRun, segmentReceivedAt?: number): Transition {
  const { state, cues } = run(call.ladder);
  const numbered = cues.map((draft, i) => numberedCue(call, draft, call.lastSeq + 1 + i, segmentReceivedAt));
  return { ladder: state, cues: numbered, summary: summaryOf(call, call.lastSeq + numbered.length, state.step) };
}

function numberedCue(call: OwnedCall, draft: CueDraft, seq: number, segmentReceivedAt: number | undefined): Cue {
  const { info } = call;
  return {
    id: randomUUID(),
    seq,
    epoch: call.epoch,
    callId: info.callId,
    agentId: info.agentId,
    ...(info.teamId !== undefined ? { teamId: info.teamId } : {}),
    ...draft,
    ...(segmentReceivedAt !== undefined ? { segmentReceivedAt } : {}),
    emittedAt: Date.now(),
  };
}
