import type { Cue } from '../../protocol/cue.js';
import type { AlertClaimed } from '../../protocol/subscribe-messages.js';
import { briefingFacts } from './briefings.js';
import { fill, h } from './dom.js';
import { evidenceBadge } from './label-badge.js';
import { utteranceText } from './utterance-text.js';
import { CUE_TITLES } from './words.js';

/** The one thing to do next, large: the cue's title, its suggested script, and what the caller said that raised it. */
export class CueCard {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private shown: string | undefined;

  constructor() {
    this.body = h('div', { class: 'cue-body', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.element = h('section', { class: 'cue', 'aria-label': 'What to do next' }, this.body);
  }

  /** `claim`: a supervisor has taken this safety alert, which the agent is told. */
  showCue(cue: Cue, claim?: AlertClaimed): void {
    const key = `${cue.id}:${claim?.by ?? ''}`;
    if (this.shown === key) return;
    this.shown = key;
    const care = cue.type === 'break-debrief';
    this.element.dataset.tone = care ? 'care' : cue.severity;
    this.body.setAttribute('aria-live', cue.severity === 'critical' ? 'assertive' : 'polite');
    // The line that raised the cue comes first (for a confirmed menace, before the remark it confirmed).
    const said = cue.evidence[0];
    fill(
      this.body,
      h(
        'p',
        { class: 'cue-kicker' },
        care ? 'After this call' : cue.type === 'safety-alert' ? 'Safety alert' : 'Suggested next',
      ),
      h('h2', { class: 'cue-title', 'data-cue-type': cue.type }, CUE_TITLES[cue.type]),
      h('p', { class: 'cue-script' }, cue.script),
      claim && h('p', { class: 'cue-help', role: 'status' }, `Supervisor ${claim.by} is on it.`),
      said &&
        h(
          'div',
          { class: 'cue-evidence' },
          h(
            'p',
            { class: 'cue-evidence-lead' },
            said.speaker === 'customer' ? 'The caller said, read as ' : 'You said, read as ',
            evidenceBadge(said),
          ),
          utteranceText(said.text, said.spans, 'cue-evidence-text'),
        ),
      // The warm-transfer script asks the agent to brief the supervisor "with the summary below".
      cue.type === 'transfer' &&
        cue.briefing &&
        h(
          'section',
          { class: 'cue-briefing', 'aria-labelledby': 'cue-briefing-title' },
          h('h3', { id: 'cue-briefing-title' }, 'Summary for your supervisor'),
          h('p', { class: 'briefing-summary' }, cue.briefing.summary),
          briefingFacts(cue.briefing),
        ),
    );
  }

  /** Nothing to act on: says so in words, so silence is not mistaken for a fault. */
  showIdle(title: string, text: string): void {
    const key = `idle:${title}`;
    if (this.shown === key) return;
    this.shown = key;
    this.element.dataset.tone = 'idle';
    this.body.setAttribute('aria-live', 'polite');
    fill(this.body, h('h2', { class: 'cue-title' }, title), h('p', { class: 'cue-script' }, text));
  }
}
