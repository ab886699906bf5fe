import type { Cue, Evidence, LadderStep } from '../../protocol/cue.js';
import type { FeedbackRecorded, TimelineEntry } from '../../protocol/incidents.js';
import type { SpeakerRole } from '../../protocol/transcript-chunk.js';
import { h } from './dom.js';
import { dateTime, timeOfDay } from './incident-words.js';
import { evidenceBadge, labelBadge } from './label-badge.js';
import { utteranceText } from './utterance-text.js';
import { CUE_TITLES, STEP_NAMES } from './words.js';

/** What the record keeps for each kind of entry (src/record/recorder.ts writes them; the API types them loosely). */
type LineData = Pick<Evidence, 'speaker' | 'text'> & Partial<Pick<Evidence, 'label' | 'scores'>>;
interface StepData {
  step: LadderStep;
}
interface ClaimData {
  by: string;
}

const SPEAKERS: Record<SpeakerRole, string> = { customer: 'Caller', agent: 'Agent' };
const speakerName = (speaker: string): string => SPEAKERS[speaker as SpeakerRole] ?? speaker;

function said(speaker: string, text: string, label: LineData['label'], score?: number): HTMLElement[] {
  return [
    h('span', { class: 'speaker' }, speakerName(speaker)),
    ...(label ? [labelBadge(label, score)] : []),
    h('span', { class: 'event-text' }, text),
  ];
}

function body(entry: TimelineEntry): { kind: string; content: (Node | string)[] } {
  switch (entry.kind) {
    case 'line': {
      const line = entry.data as unknown as LineData;
      return {
        kind: 'Line',
        content: said(line.speaker, line.text, line.label, line.label && line.scores?.[line.label]),
      };
    }
    case 'cue': {
      const cue = entry.data as unknown as Cue;
      return {
        kind: 'Cue',
        content: [
          h('span', { class: 'event-title', 'data-cue-type': cue.type }, CUE_TITLES[cue.type]),
          h('span', { class: 'event-note' }, `${cue.severity} · ladder: ${STEP_NAMES[cue.step]}`),
          cue.evidence.length > 0 &&
            h(
              'ul',
              { class: 'event-evidence', 'aria-label': 'Evidence' },
              ...cue.evidence.map((e) =>
                h(
                  'li',
                  {},
                  h('span', { class: 'speaker' }, speakerName(e.speaker)),
                  evidenceBadge(e),
                  utteranceText(e.text, e.spans, 'event-text'),
                ),
              ),
            ),
        ].filter((part): part is HTMLElement => part !== false),
      };
    }
    case 'step':
      return { kind: 'Ladder', content: [`moved to ${STEP_NAMES[(entry.data as unknown as StepData).step]}`] };
    case 'claim':
      return { kind: 'Alert taken', content: [`by ${(entry.data as unknown as ClaimData).by}`] };
    case 'feedback': {
      const correction = entry.data as unknown as FeedbackRecorded;
      return {
        kind: 'Correction',
        content: [
          h(
            'span',
            { class: 'event-title' },
            `${correction.by} corrected the label`,
            correction.modelLabel && ` from ${correction.modelLabel}`,
            ' to ',
            labelBadge(correction.label),
          ),
          ...said(correction.speaker, correction.text, undefined),
        ],
      };
    }
  }
}

/** One entry of an incident's timeline: when, what kind, and what was said, advised, moved, taken or corrected. */
export function timelineEntry(entry: TimelineEntry): HTMLLIElement {
  const { kind, content } = body(entry);
  return h(
    'li',
    { class: 'event', 'data-kind': entry.kind },
    h('time', { datetime: new Date(entry.at).toISOString(), title: dateTime(entry.at) }, timeOfDay(entry.at)),
    h('span', { class: 'event-kind' }, kind),
    h('div', { class: 'event-body' }, ...content),
  );
}
