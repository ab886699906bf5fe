import type { Label, Verdict } from '../protocol/verdict.js';
import type { AckStep } from '../protocol/common.js';
import type { Briefing, CueType, Evidence, Incident, LadderStep, Severity } from '../protocol/cue.js';
import type { SpeakerRole } from '../protocol/transcript-chunk.js';

/** How far up the ladder a call has gone (cued or taken): 0 nothing yet, then limit, warning, transfer, release. */
export type Rung = 0 | 1 | 2 | 3 | 4;

export interface LadderState {
  step: LadderStep;
  rung: Rung;
  /** Venting customer turns in a row. */
  ventRun: number;
  ventCued: boolean;
  acknowledgedRun: boolean;
  /** Customer turns without abuse since the last abuse. */
  calmTurns: number;
  recovered: boolean;
  abusiveCount: number;
  threatCount: number;
  /** The most recent incidents, bounded by the policy's briefingIncidents. */
  incidents: Incident[];
  firstIncidentMs: number | undefined;
  stepsTaken: LadderStep[];
  lastCustomerLabel: Label | undefined;
  lastStayCalmMs: number | undefined;
  /** An ambiguous menace the agent was cued to ask about; the next customer line confirms or clears it. */
  menacePending: Evidence | undefined;
  ended: boolean;
}

export const initialLadderState = (): LadderState => ({
  step: 'listen',
  rung: 0,
  ventRun: 0,
  ventCued: false,
  acknowledgedRun: false,
  calmTurns: 0,
  recovered: false,
  abusiveCount: 0,
  threatCount: 0,
  incidents: [],
  firstIncidentMs: undefined,
  stepsTaken: [],
  lastCustomerLabel: undefined,
  lastStayCalmMs: undefined,
  menacePending: undefined,
  ended: false,
});

export interface Utterance {
  utteranceId: string;
  speaker: SpeakerRole;
  text: string;
  verdict: Verdict;
  startMs: number;
  endMs: number;
}

export type LadderEvent =
  | {
      type: 'utterance';
      utterance: Utterance;
      /** The customer's earlier turns in this call, oldest first (for spotting repetition). */
      context: readonly string[];
    }
  | { type: 'agent-ack'; step: AckStep; atMs: number }
  | { type: 'call-end'; atMs: number };

/** A cue before the hub gives it an id, a sequence number and timestamps. */
export interface CueDraft {
  type: CueType;
  severity: Severity;
  step: LadderStep;
  script: string;
  evidence: Evidence[];
  briefing?: Briefing;
}

export interface Transition {
  state: LadderState;
  cues: CueDraft[];
}

/** Steps only an incident cue moves a call to. */
const INCIDENT_STEPS: readonly LadderStep[] = ['limit', 'warning', 'transfer', 'release', 'safety'];

/** Whether the call has had an incident cue that moved it (an ask-meaning alone moves nothing). */
export const reachedIncident = (state: LadderState): boolean =>
  state.stepsTaken.some((step) => INCIDENT_STEPS.includes(step));
