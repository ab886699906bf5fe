import type { AckStep } from '../../protocol/common.js';
import { AckButtons } from './ack-buttons.js';
import type { CallRecord, CallStore, StoreChange } from './call-store.js';
import { CueCard } from './cue-card.js';
import { h } from './dom.js';
import type { LabelCorrections } from './label-corrections.js';
import { LadderStepper } from './ladder-stepper.js';
import type { AckedCall, AckOutcome } from './live-feed.js';
import { TranscriptView } from './transcript-view.js';

/** Sends an acknowledgement; false when it could not be sent. */
export type Acknowledge = (call: AckedCall, step: AckStep) => boolean;

/**
 * What an agent needs at a glance: the next step large and first, the ladder, one-click
 * acknowledgements, and the transcript with how each caller line was read.
 */
export class AgentView {
  private readonly callLine = h('p', { class: 'call-line' });
  private readonly stepper = new LadderStepper();
  private readonly cueCard = new CueCard();
  private readonly acks: AckButtons;
  private readonly transcript: TranscriptView;
  private call: CallRecord | undefined;

  constructor(
    main: HTMLElement,
    private readonly store: CallStore,
    acknowledge: Acknowledge,
    corrections: LabelCorrections,
  ) {
    this.transcript = new TranscriptView(corrections);
    this.acks = new AckButtons((step) => {
      if (!this.call) return;
      if (acknowledge(this.call, step)) this.acks.sending(step);
      else this.acks.report(step, { ok: false, problem: 'not connected right now; try again in a moment.' });
    });
    main.classList.add('agent');
    main.append(
      h('div', { class: 'call-bar' }, this.callLine, this.stepper.element),
      h('div', { class: 'now' }, this.cueCard.element, this.acks.element),
      this.transcript.element,
    );
    this.render();
  }

  changed(change: StoreChange): void {
    if (change.kind === 'line') this.transcript.upsert(change.call.callId, change.line);
    else this.render();
  }

  ackResult(step: AckStep, outcome: AckOutcome): void {
    this.acks.report(step, outcome);
  }

  private render(): void {
    const call = this.store.current();
    this.call = call;
    this.acks.update(call);
    if (!call) {
      this.callLine.textContent = 'No call yet';
      this.stepper.show('listen');
      this.cueCard.showIdle('Waiting for a call', 'When a call starts, what to do next appears here.');
      return;
    }
    this.callLine.textContent = `Call ${call.callId} · ${call.ended ? 'ended' : 'live'}`;
    this.stepper.show(call.step, call.ended);
    this.transcript.showCall(call);
    if (call.cue) this.cueCard.showCue(call.cue, call.claims.get(call.cue.seq));
    else
      this.cueCard.showIdle(
        call.ended ? 'Call ended' : 'Listening',
        call.ended
          ? 'Nothing to follow up on.'
          : 'Nothing to act on: let the caller explain. Cues appear here when something changes.',
      );
  }
}
