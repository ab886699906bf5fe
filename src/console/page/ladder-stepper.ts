import type { LadderStep } from '../../protocol/cue.js';
import { h } from './dom.js';
import { STEP_NAMES } from './words.js';

/** The de-escalation ladder with the call's current step marked (aria-current and a visible "now", or "ended" after the call). */
export class LadderStepper {
  readonly element: HTMLElement;
  private readonly items = new Map<LadderStep, HTMLLIElement>();
  private readonly now = h('span', { class: 'ladder-now' }, 'now');
  private shown: string | undefined;

  constructor() {
    const list = h('ol', { class: 'ladder' });
    for (const [step, name] of Object.entries(STEP_NAMES) as [LadderStep, string][]) {
      const item = h('li', { class: 'ladder-step', 'data-step': step }, h('span', { class: 'ladder-name' }, name));
      this.items.set(step, item);
      list.append(item);
    }
    this.element = h('nav', { class: 'ladder-box', 'aria-label': 'De-escalation ladder' }, list);
  }

  show(step: LadderStep, ended = false): void {
    const key = `${step}:${ended}`;
    if (key === this.shown) return;
    this.shown = key;
    this.now.textContent = ended ? 'ended' : 'now';
    this.element.dataset.ended = String(ended);
    for (const [candidate, item] of this.items) {
      if (candidate === step) {
        item.setAttribute('aria-current', 'step');
        item.append(this.now);
      } else {
        item.removeAttribute('aria-current');
      }
    }
    this.element.setAttribute(
      'aria-label',
      ended
        ? `De-escalation ladder, the call ended at ${STEP_NAMES[step]}`
        : `De-escalation ladder, now at ${STEP_NAMES[step]}`,
    );
  }
}
