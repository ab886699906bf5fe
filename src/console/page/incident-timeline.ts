import type { IncidentDetail } from '../../protocol/incidents.js';
import { fill, h, titledSection } from './dom.js';
import { timelineEntry } from './incident-timeline-entry.js';
import { dateTime, incidentCueName } from './incident-words.js';

/** The chosen incident: who and when, then everything the record kept, oldest first. */
export class IncidentTimeline {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'timeline-body' });

  constructor() {
    this.element = titledSection('panel incident-timeline', 'timeline-title', 'Timeline', this.body);
    this.showNote('Choose an incident’s call to see its timeline.');
  }

  loading(callId: string): void {
    this.showNote(`Loading call ${callId}…`);
  }

  /** Says why the timeline cannot be shown. */
  problem(text: string): void {
    fill(this.body, h('p', { class: 'incidents-problem', role: 'alert' }, text));
  }

  show(incident: IncidentDetail): void {
    const facts: [string, string][] = [
      ['Agent', incident.agentId],
      ['Team', incident.teamId ?? '—'],
      ['Call started', dateTime(incident.startedAt)],
      ['First incident', dateTime(incident.firstIncidentAt)],
      [
        'Call ended',
        incident.endedAt === undefined ? 'not recorded (still live, or cut off)' : dateTime(incident.endedAt),
      ],
      ['What happened', incident.cueTypes.map(incidentCueName).join(', ')],
    ];
    const heading = h('h3', { class: 'timeline-call', tabindex: '-1' }, `Call ${incident.callId}`);
    fill(
      this.body,
      heading,
      h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
      incident.timeline.length > 0
        ? h(
            'ol',
            { class: 'timeline', 'aria-label': `Timeline of call ${incident.callId}, oldest first` },
            ...incident.timeline.map(timelineEntry),
          )
        : h('p', { class: 'empty' }, 'Nothing was kept for this call beyond the summary.'),
    );
    // Keyboard and screen-reader users land on what they asked for.
    heading.focus();
  }

  private showNote(text: string): void {
    fill(this.body, h('p', { class: 'empty' }, text));
  }
}
