import type { Cue, CueType } from '../../protocol/cue.js';
import type { AlertClaimed } from '../../protocol/subscribe-messages.js';
import type { CallRecord } from './call-store.js';
import { h, titledSection } from './dom.js';
import { STEP_NAMES } from './words.js';

/** The cues a supervisor is told about (threats, warnings, transfers, releases), in a supervisor's words. */
const ALERT_TITLES: Partial<Record<CueType, string>> = {
  'safety-alert': 'Threat: safety procedure',
  warn: 'Abuse after the limit: agent to warn',
  transfer: 'Warm transfer: needs a supervisor',
  release: 'Release advised: agent to end the call',
};

/** The team's alerts, newest first. */
export class AlertFeed {
  readonly element: HTMLElement;
  private readonly list = h('ol', { class: 'alerts', 'aria-live': 'polite' });
  private readonly empty = h('p', { class: 'empty' }, 'No alerts so far.');

  constructor() {
    this.element = titledSection('panel', 'alerts-title', 'Alerts', this.empty, this.list);
  }

  add(call: CallRecord, cue: Cue): void {
    const title = ALERT_TITLES[cue.type];
    if (!title) return;
    this.empty.remove();
    const claim = call.claims.get(cue.seq);
    this.list.prepend(
      h(
        'li',
        { class: 'alert', 'data-severity': cue.severity, 'data-call-id': call.callId, 'data-seq': String(cue.seq) },
        h('span', { class: 'alert-agent' }, call.agentId),
        h('span', { class: 'alert-title' }, title),
        h('span', { class: 'alert-step' }, `ladder: ${STEP_NAMES[cue.step]}`),
        claim && takenBy(claim),
      ),
    );
  }

  /** The page let go of the call: its alerts go. */
  forget(callId: string): void {
    for (const item of this.list.querySelectorAll(`.alert[data-call-id="${CSS.escape(callId)}"]`)) item.remove();
    if (!this.list.firstChild) this.list.before(this.empty);
  }

  claimed(claim: AlertClaimed): void {
    const item = this.list.querySelector(`.alert[data-call-id="${CSS.escape(claim.callId)}"][data-seq="${claim.seq}"]`);
    if (item && !item.querySelector('.alert-taken')) item.append(takenBy(claim));
  }
}

function takenBy(claim: AlertClaimed): HTMLElement {
  const at = new Date(claim.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return h('span', { class: 'alert-taken' }, `taken by ${claim.by} at ${at}`);
}
