import type { IncidentSummary } from '../../protocol/incidents.js';
import type { IncidentCall } from './incident-query.js';
import { fill, h, titledSection } from './dom.js';
import { dateTime, incidentCueName } from './incident-words.js';

/** The incidents found, newest first, a page at a time ("More"); choosing one opens its timeline. */
export class IncidentList {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly count = h('p', { class: 'incident-count', role: 'status' });
  private readonly more = h('button', { type: 'button', class: 'incidents-more', hidden: '' }, 'More');
  private shown = 0;

  constructor(
    private readonly choose: (call: IncidentCall) => void,
    loadMore: () => void,
  ) {
    const head = h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Call', 'First incident', 'Agent', 'Team', 'What happened'].map((name) => h('th', { scope: 'col' }, name)),
      ),
    );
    this.more.addEventListener('click', loadMore);
    this.element = titledSection(
      'panel incident-list',
      'incidents-title',
      'Incidents',
      h('table', { class: 'calls incidents-table', 'aria-labelledby': 'incidents-title' }, head, this.body),
      h('div', { class: 'list-foot' }, this.count, this.more),
    );
  }

  /** A new first page: the list starts over. */
  show(incidents: readonly IncidentSummary[], hasMore: boolean): void {
    this.shown = 0;
    fill(this.body);
    this.append(incidents, hasMore);
  }

  /** The next page, after the rows shown. */
  append(incidents: readonly IncidentSummary[], hasMore: boolean): void {
    const hadFocus = this.more === document.activeElement;
    const rows = incidents.map((incident) => this.row(incident));
    this.body.append(...rows);
    this.shown += rows.length;
    if (this.shown === 0)
      this.body.append(h('tr', {}, h('td', { colspan: '5', class: 'empty' }, 'No incidents match these filters.')));
    this.more.hidden = !hasMore;
    this.count.textContent = `${this.shown} ${this.shown === 1 ? 'incident' : 'incidents'} shown${hasMore ? '; more with “More”' : ''}.`;
    // "More" went away under the keyboard: focus moves on to the first row it brought.
    if (hadFocus && !hasMore) rows[0]?.querySelector('button')?.focus();
  }

  /** Marks the incident whose timeline is open. */
  select({ callId, epoch }: IncidentCall): void {
    for (const row of this.body.rows) {
      if (row.dataset.callId === callId && row.dataset.epoch === epoch) row.setAttribute('aria-current', 'true');
      else row.removeAttribute('aria-current');
    }
  }

  private row(incident: IncidentSummary): HTMLTableRowElement {
    const open = h('button', { type: 'button', class: 'incident-open' }, incident.callId);
    open.addEventListener('click', () => this.choose(incident));
    return h(
      'tr',
      { 'data-call-id': incident.callId, 'data-epoch': incident.epoch },
      h('th', { scope: 'row' }, open),
      h(
        'td',
        {},
        h('time', { datetime: new Date(incident.firstIncidentAt).toISOString() }, dateTime(incident.firstIncidentAt)),
      ),
      h('td', {}, incident.agentId),
      h('td', {}, incident.teamId ?? '—'),
      h('td', {}, incident.cueTypes.map(incidentCueName).join(', ')),
    );
  }
}
