import { clock } from '../../ladder/briefing.js';
import type { Cue } from '../../protocol/cue.js';
import type { CallRecord } from './call-store.js';
import { h } from './dom.js';
import { utteranceText } from './utterance-text.js';

/** Threats cannot be missed: each is announced at once and stays on top (and in the tab title) until someone takes it. */
export class ThreatAlerts {
  readonly element = h('section', { class: 'threats', 'aria-label': 'Threat alerts' });
  private readonly pageTitle = document.title;
  private open = 0;

  add(call: CallRecord, cue: Cue): void {
    const said = cue.evidence.at(-1);
    const taken = h('button', { type: 'button', class: 'threat-taken' }, 'I’m on it');
    const banner = h(
      'div',
      { class: 'threat', role: 'alert', 'data-call-id': call.callId },
      h('p', { class: 'threat-title' }, `Threat on ${call.agentId}’s call`, said && ` at ${clock(said.startMs)}`),
      said && utteranceText(said.text, said.spans, 'threat-quote'),
      h('p', { class: 'threat-call' }, `Call ${call.callId}. Follow the safety procedure; the briefing is below.`),
      taken,
    );
    taken.addEventListener('click', () => {
      banner.remove();
      this.count(-1);
      this.element.querySelector<HTMLButtonElement>('.threat-taken')?.focus();
    });
    this.element.prepend(banner);
    this.count(1);
  }

  private count(change: number): void {
    this.open += change;
    document.title = this.open > 0 ? `(${this.open}) Threat · ${this.pageTitle}` : this.pageTitle;
  }
}
