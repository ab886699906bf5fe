import type { Label } from '../../protocol/verdict.js';
import { h } from './dom.js';

/** How an utterance was read, in words (colour only repeats them), with how sure when known. */
export const labelBadge = (label: Label, score?: number): HTMLSpanElement =>
  h('span', { class: `label label-${label}` }, score === undefined ? label : `${label} ${Math.round(score * 100)}%`);
