import { MAX_CONTEXT_TURNS } from '../src/classifier/classifier.js';
import { advance } from '../src/ladder/ladder.js';
import type { Policy } from '../src/ladder/policy.js';
import { AGENT_ACTS, LABELS } from '../src/protocol/labels.js';
import { initialLadderState, type CueDraft, type Utterance } from '../src/ladder/state.js';
import type { TranscriptChunk } from '../src/protocol/transcript-chunk.js';
import type { AgentAct, ContextTurn, Scores, Verdict } from '../src/protocol/verdict.js';
import type { ObservedCall, ObservedCue } from './call-eval-score.js';
import { acceptableLabels, type EvalCall, type EvalTurn } from './call-eval-set.js';
import { callChunks } from './call-eval-stream.js';

/** The verdict on a call's final `turn` (its index in the call), given the call's previous finals. */
export type ReadFinal = (chunk: TranscriptChunk, turn: number, context: readonly ContextTurn[]) => Promise<Verdict>;

/** Every final of a call as the ladder receives it, each read once, in the call's order. */
export async function readCall(call: EvalCall, read: ReadFinal): Promise<Utterance[]> {
  const finals = callChunks(call, call.id).filter((chunk) => chunk.isFinal);
  const utterances: Utterance[] = [];
  for (const [i, chunk] of finals.entries()) {
    const context: ContextTurn[] = utterances.slice(-MAX_CONTEXT_TURNS).map(({ speaker, text }) => ({ speaker, text }));
    utterances.push({
      utteranceId: String(i),
      speaker: chunk.speaker,
      text: chunk.text,
      verdict: await read(chunk, i, context),
      startMs: chunk.startMs,
      endMs: chunk.endMs,
    });
  }
  return utterances;
}

/** The cues the pure ladder raises over one call's verdicts, with the turn each one's evidence starts at. */
export function replay(utterances: readonly Utterance[], policy: Policy): ObservedCall {
  let state = initialLadderState();
  const cues: ObservedCue[] = [];
  const customerTurns: string[] = [];
  const take = (drafts: CueDraft[]): void => {
    for (const draft of drafts) {
      const first = draft.evidence[0];
      cues.push({ type: draft.type, ...(first ? { evidenceLine: Number(first.utteranceId) } : {}) });
    }
  };
  for (const utterance of utterances) {
    const step = advance(state, { type: 'utterance', utterance, context: [...customerTurns] }, policy);
    state = step.state;
    take(step.cues);
    if (utterance.speaker === 'customer') customerTurns.push(utterance.text);
  }
  const end = advance(state, { type: 'call-end', atMs: utterances.at(-1)?.endMs ?? 0 }, policy);
  take(end.cues);
  const lines = utterances.map(({ verdict }) => ({
    label: verdict.label,
    ...(verdict.act ? { act: verdict.act } : {}),
  }));
  return { cues, lines };
}

/**
 * The verdict a classifier that reads every line as written would give (training/call-oracle.ts).
 * A line written as either a threat or something else gets a threat score in the middle of the
 * policy's ask-meaning band, as the ladder means such lines to be read.
 */
export function writtenVerdict(turn: EvalTurn, policy: Policy): Verdict {
  const [label, ...alternatives] = acceptableLabels(turn);
  const scores = Object.fromEntries(LABELS.map((each) => [each, each === label ? 1 : 0])) as Scores;
  if (alternatives.length > 0 && (label === 'threat' || alternatives.includes('threat'))) {
    const { menaceMinScore, threatMinScore } = policy.thresholds;
    scores.threat = (menaceMinScore + threatMinScore) / 2;
    scores[label === 'threat' ? alternatives[0]! : label!] = 1 - scores.threat;
  }
  const verdict: Verdict = { label: label!, scores, spans: [] };
  if (turn.speaker === 'agent' && turn.act) {
    verdict.act = turn.act;
    verdict.actScores = Object.fromEntries(AGENT_ACTS.map((act) => [act, act === turn.act ? 1 : 0])) as Record<
      AgentAct,
      number
    >;
  }
  return verdict;
}
