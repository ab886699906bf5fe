import type { CallRecord } from './call-store.js';
import { fill, h } from './dom.js';
import { CUE_TITLES, STEP_NAMES } from './words.js';

/** The team's calls and where each stands on the ladder. */
export class CallsTable {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private readonly empty = h('tr', {}, h('td', { colspan: '5', class: 'empty' }, 'No calls on this team right now.'));

  constructor() {
    const head = h('thead', {}, h('tr', {}, ...['Agent', 'Call', 'Ladder step', 'Latest cue', 'State'].map((name) => h('th', { scope: 'col' }, name))));
    this.body.append(this.empty);
    this.element = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'calls-title' },
      h('h2', { id: 'calls-title' }, 'Calls'),
      h('table', { class: 'calls', 'aria-labelledby': 'calls-title' }, head, this.body),
    );
  }

  update(call: CallRecord): void {
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
}
