import type { Evidence } from '../../protocol/cue.js';
import { h } from './dom.js';
import { splitEvidence } from './evidence-parts.js';

/** What was said, its evidence words in <mark>. */
export function utteranceText(text: string, spans: Evidence['spans'], className: string): HTMLParagraphElement {
  return h(
    'p',
    { class: className },
    ...splitEvidence(text, spans).map((part) =>
      part.kind === 'plain' ? part.text : h('mark', { class: part.kind }, part.text),
    ),
  );
}
