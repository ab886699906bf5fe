import { AlertFeed } from './alert-feed.js';
import { Briefings } from './briefings.js';
import type { StoreChange } from './call-store.js';
import { CallsTable } from './calls-table.js';
import { h } from './dom.js';
import type { LabelCorrections } from './label-corrections.js';
import { ThreatAlerts } from './threat-alerts.js';

/** A team lead's view: threats on top, the team's calls and alerts, and the briefings to act on. */
export class SupervisorView {
  private readonly threats: ThreatAlerts;
  private readonly calls = new CallsTable();
  private readonly alerts = new AlertFeed();
  private readonly briefings: Briefings;

  /** `claim` tells the service this supervisor takes a safety alert (false when it could not be sent; `refused` hears why it was turned down). */
  constructor(
    main: HTMLElement,
    claim: (callId: string, seq: number, refused: (problem: string) => void) => boolean,
    corrections: LabelCorrections,
  ) {
    this.threats = new ThreatAlerts(claim);
    this.briefings = new Briefings(corrections);
    main.classList.add('supervisor');
    main.append(
      this.threats.element,
      h('div', { class: 'team' }, this.calls.element, this.alerts.element),
      this.briefings.element,
    );
  }

  changed(change: StoreChange): void {
    if (change.kind === 'line') return;
    if (change.kind === 'dropped') {
      this.calls.forget(change.call.callId);
      this.alerts.forget(change.call.callId);
      this.briefings.forget(change.call.callId);
      return;
    }
    if (change.kind === 'claim') {
      this.threats.claimed(change.call, change.claim);
      this.alerts.claimed(change.claim);
      return;
    }
    if (change.kind === 'cue') {
      if (change.cue.type === 'safety-alert') this.threats.add(change.call, change.cue);
      this.alerts.add(change.call, change.cue);
    }
    this.calls.update(change.call);
    this.briefings.update(change.call);
  }
}
