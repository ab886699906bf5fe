import type { SpeakerRole } from '../protocol/transcript-chunk.js';
import type { ContextTurn, Verdict } from '../protocol/verdict.js';

/** Turns of context the model reads: the previous finals, oldest first. */
export const MAX_CONTEXT_TURNS = 4;

/**
 * Within a lane (tenant), highest first: a call's finals are latency-critical (cues wait for them);
 * partials are speculative but live (a label on the transcript as the words come); bulk texts
 * (`POST /v1/classify`) have no call waiting on them. Across lanes the batcher serves in turn.
 */
export const PRIORITIES = ['final', 'partial', 'bulk'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface Classifier {
  /**
   * `speaker` defaults to the customer; `priority` to final; `context` is the call's previous
   * finals, oldest first (the last MAX_CONTEXT_TURNS are read); `lane` is who the work is for
   * (the tenant): lanes share the model in turn, so one cannot starve another.
   */
  classify(
    text: string,
    priority?: Priority,
    speaker?: SpeakerRole,
    context?: readonly ContextTurn[],
    lane?: string,
  ): Promise<Verdict>;
  close(): Promise<void>;
}
