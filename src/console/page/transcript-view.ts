import type { Label } from '../../protocol/verdict.js';
import { clock } from '../../protocol/call-clock.js';
import type { SpeakerRole } from '../../protocol/transcript-chunk.js';
import type { CallRecord, TranscriptLine } from './call-store.js';
import { fill, h, titledSection } from './dom.js';
import { labelBadge } from './label-badge.js';
import type { LabelCorrections } from './label-corrections.js';
import { utteranceText } from './utterance-text.js';

const SPEAKER_NAMES: Record<SpeakerRole, string> = { customer: 'Caller', agent: 'You' };

/** Lines closer than this to the bottom count as "reading the latest": new lines keep them in view. */
const FOLLOW_SLACK_PX = 40;

/** Both speakers in call order; each caller line is marked with how it was read and its evidence words. */
export class TranscriptView {
  readonly element: HTMLElement;
  private readonly list = h('ol', { class: 'lines' });
  // The log role goes on a wrapper (on the <ol> it would hide the list from screen readers); it scrolls, so it takes keyboard focus.
  private readonly log = h(
    'div',
    { class: 'lines-log', role: 'log', 'aria-live': 'off', 'aria-label': 'Transcript lines', tabindex: '0' },
    this.list,
  );
  private readonly items = new Map<string, HTMLLIElement>();
  private callId: string | undefined;

  constructor(private readonly corrections: LabelCorrections) {
    this.element = titledSection('transcript', 'transcript-title', 'Transcript', this.log);
  }

  /** Shows a call's lines, starting over when the call is another one. */
  showCall(call: CallRecord): void {
    if (call.callId === this.callId) return;
    if (this.callId !== undefined) this.corrections.forget(this.callId);
    this.callId = call.callId;
    this.items.clear();
    fill(this.list);
    for (const line of call.lines.values()) this.upsert(call.callId, line);
  }

  upsert(callId: string, line: TranscriptLine): void {
    if (callId !== this.callId) return;
    const following = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < FOLLOW_SLACK_PX;
    const existing = this.items.get(line.segmentId);
    const focused = existing?.contains(document.activeElement) ? (document.activeElement as HTMLElement) : undefined;
    const item = renderLine(line, (label) => this.corrections.control(callId, line.segmentId, label));
    if (existing) existing.replaceWith(item);
    else
      this.list.insertBefore(
        item,
        [...this.list.children].find((other) => Number((other as HTMLElement).dataset.startMs) > line.startMs) ?? null,
      );
    this.items.set(line.segmentId, item);
    if (following) this.log.scrollTop = this.log.scrollHeight;
    focused?.focus();
  }
}

function renderLine(line: TranscriptLine, correction: (label: Label) => HTMLElement): HTMLLIElement {
  const read = line.speaker === 'customer' && line.isFinal && line.label !== undefined ? line.label : undefined;
  const score = read && line.scores?.[read];
  return h(
    'li',
    {
      class: `line line-${line.speaker}`,
      'data-start-ms': String(line.startMs),
      'data-final': String(line.isFinal),
      ...(read ? { 'data-label': read } : {}),
    },
    h(
      'p',
      { class: 'line-meta' },
      h('span', { class: 'speaker' }, SPEAKER_NAMES[line.speaker]),
      h('time', {}, clock(line.startMs)),
      read && labelBadge(read, score),
      !line.isFinal && h('span', { class: 'speaking' }, 'still speaking'),
    ),
    utteranceText(line.text, read ? (line.spans ?? []) : [], 'line-text'),
    read && correction(read),
  );
}
