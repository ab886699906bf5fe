import type { Label } from '../../protocol/verdict.js';
import type { FeedbackRecorded, LabelFeedback } from '../../protocol/incidents.js';
import { askService, type ServiceRefusal } from './service-request.js';
import { WrongLabel, type CorrectionOutcome } from './wrong-label.js';

/** Why a correction was not stored, in the words of someone on a call. */
function problemOf(answer: ServiceRefusal): string {
  switch (answer.status) {
    case 0:
      return 'the service cannot be reached; try again in a moment.';
    case 401:
      return 'the service did not accept this page’s token.';
    case 403:
      return 'this token cannot correct labels: it needs the subscribe or supervise scope.';
    case 404:
      return 'the service no longer keeps this line (only a call’s newest lines are kept).';
    case 503:
      return 'the incident record is off on this service, so corrections are not stored.';
    default:
      return answer.message;
  }
}

/** "Wrong label" for any labelled line: its control, and the correction sent with the page's token. */
export class LabelCorrections {
  /** One control per call and line, reused when the line is drawn again, so an open choice and its outcome survive. */
  private readonly controls = new Map<string, Map<string, WrongLabel>>();

  constructor(private readonly token: string) {}

  /** The line's control, offering the labels other than `label` (how the line reads now). */
  control(callId: string, segmentId: string, label: Label): HTMLElement {
    let byLine = this.controls.get(callId);
    if (!byLine) this.controls.set(callId, (byLine = new Map()));
    let control = byLine.get(segmentId);
    if (control) control.relabel(label);
    else
      byLine.set(
        segmentId,
        (control = new WrongLabel(label, (right) => this.send({ callId, segmentId, label: right }))),
      );
    return control.element;
  }

  /** The page no longer shows this call's lines. */
  forget(callId: string): void {
    this.controls.delete(callId);
  }

  private async send(feedback: LabelFeedback): Promise<CorrectionOutcome> {
    const answer = await askService<FeedbackRecorded>('/v1/feedback', this.token, { method: 'POST', body: feedback });
    return answer.ok ? { ok: true, label: answer.value.label } : { ok: false, problem: problemOf(answer) };
  }
}
