import type { CallRecord } from './call-store.js';
import { fill, h, titledSection } from './dom.js';
import { CUE_TITLES, STEP_NAMES } from './words.js';

/** How long an ended call stays in the table, marked ended, before it leaves: its alerts and briefing stay. */
const ENDED_CALL_LINGER_MS = 10 * 60_000;

/** The team's calls and where each stands on the ladder; ended calls leave after a while, so a shift's table stays short. */
export class CallsTable {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private readonly leaving = new Map<string, number>();
  /** Ended calls already taken off; a replayed summary of them does not bring them back. */
  private readonly gone = new Set<string>();
  private readonly empty = h('tr', {}, h('td', { colspan: '5', class: 'empty' }, 'No calls on this team right now.'));

  constructor() {
    const head = h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Agent', 'Call', 'Ladder step', 'Latest cue', 'State'].map((name) => h('th', { scope: 'col' }, name)),
      ),
    );
    this.body.append(this.empty);
    this.element = titledSection(
      'panel',
      'calls-title',
      'Calls',
      h('table', { class: 'calls', 'aria-labelledby': 'calls-title' }, head, this.body),
    );
  }

  update(call: CallRecord): void {
    if (call.ended && this.gone.has(call.callId)) return;
    this.gone.delete(call.callId);
    this.scheduleLeaving(call);
    let row = this.rows.get(call.callId);
    if (!row) {
      row = h('tr', { 'data-call-id': call.callId });
      this.rows.set(call.callId, row);
      this.empty.remove();
      this.body.append(row);
    }
    row.dataset.ended = String(call.ended);
    fill(
      row,
      h('th', { scope: 'row' }, call.agentId),
      h('td', {}, call.callId),
      h('td', {}, h('span', { class: 'step-badge', 'data-step': call.step }, STEP_NAMES[call.step])),
      h('td', {}, call.cue ? CUE_TITLES[call.cue.type] : '—'),
      h('td', {}, call.ended ? 'ended' : 'live'),
    );
  }

  private scheduleLeaving(call: CallRecord): void {
    const timer = this.leaving.get(call.callId);
    if (call.ended === (timer !== undefined)) return;
    if (timer !== undefined) {
      clearTimeout(timer);
      this.leaving.delete(call.callId);
      return;
    }
    this.leaving.set(
      call.callId,
      window.setTimeout(() => {
        this.removeRow(call.callId);
        this.gone.add(call.callId);
      }, ENDED_CALL_LINGER_MS),
    );
  }

  /** The page let go of the call: its row goes now, if it has not left already. */
  forget(callId: string): void {
    clearTimeout(this.leaving.get(callId));
    this.gone.delete(callId);
    this.removeRow(callId);
  }

  private removeRow(callId: string): void {
    this.rows.get(callId)?.remove();
    this.rows.delete(callId);
    this.leaving.delete(callId);
    if (this.rows.size === 0) this.body.append(this.empty);
  }
}
