import { clock } from '../protocol/call-clock.js';
import type { Briefing } from '../protocol/cue.js';
import type { LadderState } from './state.js';

const CALLER_NOW = { neutral: 'calm', venting: 'venting', abusive: 'abusive', threat: 'threatening' } as const;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What happened on the call so far, for a supervisor taking it over or debriefing the agent. */
export function buildBriefing(state: LadderState): Briefing {
  const callerNow = CALLER_NOW[state.lastCustomerLabel ?? 'neutral'];
  const last = state.incidents.at(-1);
  const span =
    state.firstIncidentMs !== undefined && last
      ? ` between ${clock(state.firstIncidentMs)} and ${clock(last.atMs)}`
      : '';
  const steps = state.stepsTaken.length > 0 ? ` Steps so far: ${state.stepsTaken.join(', ')}.` : '';
  const quote = last ? ` Latest: "${last.text}".` : '';
  return {
    summary: `${plural(state.abusiveCount, 'abusive remark')} and ${plural(state.threatCount, 'threat')}${span}.${steps}${quote} Caller now: ${callerNow}.`,
    abusiveCount: state.abusiveCount,
    threatCount: state.threatCount,
    ...(state.firstIncidentMs !== undefined ? { firstIncidentMs: state.firstIncidentMs } : {}),
    ...(last ? { lastIncidentMs: last.atMs } : {}),
    incidents: [...state.incidents],
    stepsTaken: [...state.stepsTaken],
    callerNow,
  };
}
