import { clock } from '../../protocol/call-clock.js';
import type { Briefing, CueType, Incident } from '../../protocol/cue.js';
import type { CallRecord } from './call-store.js';
import { h, titledSection } from './dom.js';
import { labelBadge } from './label-badge.js';
import type { LabelCorrections } from './label-corrections.js';
import { STEP_NAMES } from './words.js';

const TITLES: Partial<Record<CueType, string>> = {
  transfer: 'Warm transfer',
  'safety-alert': 'Threat',
  'break-debrief': 'Debrief the agent',
};

/** What a supervisor reads before taking a warm transfer, a threat or an agent's debrief: the newest briefing per call. */
export class Briefings {
  readonly element: HTMLElement;
  private readonly list = h('div', { class: 'briefing-list' });
  private readonly empty = h(
    'p',
    { class: 'empty' },
    'Briefings appear here for warm transfers, threats and debriefs.',
  );
  private readonly shown = new Map<string, { cueId: string; card: HTMLElement }>();

  constructor(private readonly corrections: LabelCorrections) {
    this.element = titledSection('panel briefings', 'briefings-title', 'Briefings', this.empty, this.list);
  }

  update(call: CallRecord): void {
    const cue = call.briefingCue;
    if (!cue?.briefing || this.shown.get(call.callId)?.cueId === cue.id) return;
    const previous = this.shown.get(call.callId)?.card;
    const focused = previous?.contains(document.activeElement) ? (document.activeElement as HTMLElement) : undefined;
    const card = renderBriefing(
      `${TITLES[cue.type] ?? 'Briefing'} · ${call.agentId}`,
      call.callId,
      cue.briefing,
      (incident) => this.corrections.control(call.callId, incident.utteranceId, incident.label),
    );
    previous?.remove();
    this.shown.set(call.callId, { cueId: cue.id, card });
    this.empty.remove();
    this.list.prepend(card);
    focused?.focus();
  }

  /** The page let go of the call: its briefing goes. */
  forget(callId: string): void {
    this.shown.get(callId)?.card.remove();
    this.shown.delete(callId);
    if (!this.list.firstChild) this.list.before(this.empty);
  }
}

/** A briefing's counts and the steps taken so far, as a definition list. */
export function briefingFacts(briefing: Briefing): HTMLElement {
  const facts: [string, string][] = [
    ['Caller now', briefing.callerNow],
    ['Abusive remarks', String(briefing.abusiveCount)],
    ['Threats', String(briefing.threatCount)],
    ['Steps taken', briefing.stepsTaken.map((step) => STEP_NAMES[step]).join(' → ') || 'none'],
  ];
  return h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

function renderBriefing(
  title: string,
  callId: string,
  briefing: Briefing,
  correction: (incident: Incident) => HTMLElement,
): HTMLElement {
  return h(
    'article',
    { class: 'briefing', 'data-call-id': callId },
    h('h3', {}, title),
    h('p', { class: 'briefing-call' }, `Call ${callId}`),
    h('p', { class: 'briefing-summary' }, briefing.summary),
    briefingFacts(briefing),
    briefing.incidents.length > 0 &&
      h(
        'ol',
        { class: 'incidents', 'aria-label': 'Incidents, oldest first' },
        ...briefing.incidents.map((incident) =>
          h(
            'li',
            {},
            h('time', {}, clock(incident.atMs)),
            labelBadge(incident.label),
            h('span', {}, incident.text),
            correction(incident),
          ),
        ),
      ),
  );
}
