import type { AgentAct, ContextTurn, Label } from '../../src/protocol/verdict.js';
import type { SpeakerRole } from '../../src/protocol/transcript-chunk.js';

export type LabelShares = Partial<Record<Label, number>>;

export interface Example {
  text: string;
  label: Label;
  /**
   * A soft target, the share of each label, for lines ambiguous by design ("you'll regret this"):
   * trained towards these shares instead of all on `label`, which is the largest share.
   */
  target?: LabelShares;
  source: string;
  /** Who says it; left out, a customer (every public set is customer-side text). */
  speaker?: SpeakerRole;
  /** The call's earlier finals, oldest first (multi-turn snippets only). */
  context?: ContextTurn[];
  /** What an agent line does; left out where no one labelled it. */
  act?: AgentAct;
  /** The identity group the line names, if any. */
  group?: string;
  /** Shared by a snippet and its contrast, so both fall on the same side of the dev split. */
  pair?: string;
  /** A group-swapped copy's original line (group-swap.ts): training can read the two as a pair. */
  swappedFrom?: string;
}

export interface SourceSplits {
  train: Example[];
  test: Example[];
}
