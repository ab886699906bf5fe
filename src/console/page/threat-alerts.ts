import { clock } from '../../protocol/call-clock.js';
import type { Cue } from '../../protocol/cue.js';
import type { AlertClaimed } from '../../protocol/subscribe-messages.js';
import type { CallRecord } from './call-store.js';
import { h } from './dom.js';
import { utteranceText } from './utterance-text.js';

/** A seq names an alert only within its epoch: a call numbered afresh counts from 1 again. */
const bannerKey = (callId: string, epoch: string, seq: number): string => JSON.stringify([callId, epoch, seq]);

/**
 * Threats cannot be missed: each is announced at once and stays on top (and in the tab title) until
 * a supervisor takes it. Taking it tells the service, so the banner leaves every supervisor's screen.
 */
export class ThreatAlerts {
  readonly element = h('section', { class: 'threats', 'aria-label': 'Threat alerts' });
  private readonly pageTitle = document.title;
  private readonly banners = new Map<string, HTMLElement>();

  constructor(private readonly claim: (callId: string, seq: number, refused: (problem: string) => void) => boolean) {}

  add(call: CallRecord, cue: Cue): void {
    const key = bannerKey(call.callId, cue.epoch, cue.seq);
    if (call.claims.has(cue.seq) || this.banners.has(key)) return;
    // The line that carried the threat comes first (for a confirmed menace, before the remark it confirmed).
    const said = cue.evidence[0];
    const taken = h('button', { type: 'button', class: 'threat-taken' }, 'I’m on it');
    const note = h('p', { class: 'threat-note', role: 'status' });
    const banner = h(
      'div',
      { class: 'threat', role: 'alert', 'data-call-id': call.callId, 'data-epoch': cue.epoch },
      h('p', { class: 'threat-title' }, `Threat on ${call.agentId}’s call`, said && ` at ${clock(said.startMs)}`),
      said && utteranceText(said.text, said.spans, 'threat-quote'),
      h('p', { class: 'threat-call' }, `Call ${call.callId}. Follow the safety procedure; the briefing is below.`),
      taken,
      note,
    );
    let dismissable = false;
    taken.addEventListener('click', () => {
      if (dismissable) return this.remove(key);
      // The service no longer holds the alert (it restarted, or the call is long gone): nobody else can
      // take it there, so this screen lets it go once the supervisor has read why.
      const refused = (problem: string): void => {
        note.textContent = `The team was not told: ${problem}. Follow the safety procedure, then dismiss this alert.`;
        taken.textContent = 'Dismiss';
        dismissable = true;
      };
      // The service numbers claims in the call's current epoch: this seq there is another alert, or none.
      if (call.epoch !== cue.epoch)
        return refused('the call was numbered afresh since, so the service no longer holds it');
      note.textContent = this.claim(call.callId, cue.seq, refused)
        ? 'Telling the team…'
        : 'Not sent: the console is reconnecting. Try again in a moment.';
    });
    this.banners.set(key, banner);
    this.element.prepend(banner);
    this.updateTitle();
  }

  /** Someone (this supervisor or another) took the alert, of the call's current epoch: its banner goes. */
  claimed(call: CallRecord, claim: AlertClaimed): void {
    this.remove(bannerKey(claim.callId, call.epoch, claim.seq));
  }

  private remove(key: string): void {
    const banner = this.banners.get(key);
    if (!banner) return;
    const hadFocus = banner.contains(document.activeElement);
    banner.remove();
    this.banners.delete(key);
    this.updateTitle();
    if (hadFocus) this.element.querySelector<HTMLButtonElement>('.threat-taken')?.focus();
  }

  private updateTitle(): void {
    const open = this.banners.size;
    document.title = open > 0 ? `(${open}) Threat · ${this.pageTitle}` : this.pageTitle;
  }
}
