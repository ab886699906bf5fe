import type { Evidence } from '../../protocol/cue.js';
import { threatScoreOf, type Label } from '../../protocol/verdict.js';
import { h } from './dom.js';

/** How an utterance was read, in words (colour only repeats them), with how sure when known. */
export const labelBadge = (label: Label, score?: number): HTMLSpanElement =>
  h('span', { class: `label label-${label}` }, score === undefined ? label : `${label} ${Math.round(score * 100)}%`);

/** A cue's evidence line as the ladder read it: a threat with the score it acted on (in context or alone). */
export const evidenceBadge = (e: Evidence): HTMLSpanElement =>
  labelBadge(e.label, e.label === 'threat' ? threatScoreOf(e) : e.scores[e.label]);
