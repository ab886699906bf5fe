import type { AckStep } from '../../protocol/common.js';
import { h } from './dom.js';
import type { CallRecord } from './call-store.js';
import type { AckOutcome } from './live-feed.js';
import { ACK_FOR_CUE, ACK_LABELS } from './words.js';

/** One click to tell the service which step the agent took; the button the current cue asks for stands out. */
export class AckButtons {
  readonly element: HTMLElement;
  private readonly buttons = new Map<AckStep, HTMLButtonElement>();
  private readonly result = h('p', { class: 'ack-result', role: 'status' });
  private readonly paused = h(
    'p',
    { class: 'ack-paused', hidden: '' },
    'Paused during a safety alert: follow the safety procedure, not the ladder.',
  );

  constructor(onClick: (step: AckStep) => void) {
    const row = h('div', { class: 'ack-row' });
    for (const [step, label] of Object.entries(ACK_LABELS) as [AckStep, string][]) {
      const button = h('button', { type: 'button', class: 'ack', 'data-ack': step, disabled: '' }, label);
      button.addEventListener('click', () => onClick(step));
      this.buttons.set(step, button);
      row.append(button);
    }
    this.element = h(
      'section',
      { class: 'acks', 'aria-labelledby': 'acks-title' },
      h('h2', { id: 'acks-title', class: 'acks-title' }, 'Tell call-guard what you did'),
      row,
      this.paused,
      this.result,
    );
  }

  /** Enabled only on a live call outside a safety alert, where a ladder step would be the wrong move. */
  update(call: CallRecord | undefined): void {
    const underSafetyAlert = call?.step === 'safety' && !call.ended;
    const usable = call !== undefined && !call.ended && !underSafetyAlert;
    const suggested = call?.cue && ACK_FOR_CUE[call.cue.type];
    for (const [step, button] of this.buttons) {
      button.disabled = !usable;
      button.classList.toggle('suggested', usable && step === suggested);
    }
    this.paused.hidden = !underSafetyAlert;
  }

  sending(step: AckStep): void {
    this.result.textContent = `Sending: ${ACK_LABELS[step]}…`;
  }

  report(step: AckStep, outcome: AckOutcome): void {
    this.result.textContent = outcome.ok ? `Recorded: ${ACK_LABELS[step]}.` : `Not recorded: ${outcome.problem}`;
  }
}
