import { LABELS } from '../../protocol/labels.js';
import type { Label } from '../../protocol/verdict.js';
import { h } from './dom.js';

/** What became of a correction: the label now stored, or why not, for the control to show. */
export type CorrectionOutcome = { ok: true; label: Label } | { ok: false; problem: string };

let controlsMade = 0;

/**
 * A small disclosure under a labelled line: "Wrong label?" opens a choice of the right label and a
 * Send button; the outcome is announced (role=status) and stays next to the line.
 */
export class WrongLabel {
  readonly element: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly form: HTMLFormElement;
  private readonly choice: HTMLSelectElement;
  private readonly result = h('p', { class: 'wrong-label-result', role: 'status' });
  private sending = false;

  constructor(
    private label: Label,
    private readonly send: (right: Label) => Promise<CorrectionOutcome>,
  ) {
    const id = `wrong-label-${++controlsMade}`;
    this.toggle = h(
      'button',
      { type: 'button', class: 'wrong-label-toggle', 'aria-expanded': 'false', 'aria-controls': id },
      'Wrong label?',
    );
    this.choice = h('select', { id: `${id}-choice` });
    const cancel = h('button', { type: 'button', class: 'wrong-label-cancel' }, 'Cancel');
    this.form = h(
      'form',
      { id, class: 'wrong-label-form', hidden: '' },
      h('label', { for: `${id}-choice` }, 'Right label'),
      this.choice,
      h('button', { type: 'submit', class: 'wrong-label-send' }, 'Send'),
      cancel,
    );
    this.element = h('div', { class: 'wrong-label' }, this.toggle, this.form, this.result);
    this.fillChoices();
    this.toggle.addEventListener('click', () => (this.form.hidden ? this.open() : this.close()));
    cancel.addEventListener('click', () => this.close());
    this.form.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.close();
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
  }

  /** The line was read again (a revised final): the choices are the labels other than the new one. */
  relabel(label: Label): void {
    if (label === this.label) return;
    this.label = label;
    this.fillChoices();
  }

  private fillChoices(): void {
    this.choice.replaceChildren(...LABELS.filter((l) => l !== this.label).map((l) => h('option', { value: l }, l)));
  }

  private open(): void {
    this.form.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'true');
    this.choice.focus();
  }

  private close(): void {
    // Focus inside the closing form goes back to the toggle; focus the user moved elsewhere stays there.
    const hadFocus = this.form.contains(document.activeElement);
    this.form.hidden = true;
    this.toggle.setAttribute('aria-expanded', 'false');
    if (hadFocus) this.toggle.focus();
  }

  private async submit(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    const right = this.choice.value as Label;
    this.result.textContent = `Sending: ${right}…`;
    const outcome = await this.send(right);
    this.sending = false;
    this.result.dataset.outcome = outcome.ok ? 'recorded' : 'refused';
    this.result.textContent = outcome.ok ? `Thanks: recorded as ${outcome.label}` : `Not recorded: ${outcome.problem}`;
    if (outcome.ok) this.close();
  }
}
