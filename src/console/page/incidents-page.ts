import type { IncidentDetail, IncidentPage } from '../../protocol/incidents.js';
import { h } from './dom.js';
import { mountFrame, showProblem, type Frame } from './frame.js';
import { IncidentFilterForm } from './incident-filter-form.js';
import { IncidentList } from './incident-list.js';
import {
  detailPath,
  type IncidentCall,
  exportPath,
  listPath,
  pageAddress,
  type ExportFormat,
  type IncidentFilters,
} from './incident-query.js';
import { IncidentTimeline } from './incident-timeline.js';
import type { IncidentsParams } from './params.js';
import { askService, fetchFile, type ServiceAnswer, type ServiceRefusal as Refusal } from './service-request.js';

const EXPORTS: Record<ExportFormat, string> = { jsonl: 'JSON lines', csv: 'CSV' };

/** How long a saved export's object URL lives: long enough for the browser to start the download. */
const SAVE_URL_LIFE_MS = 60_000;

function saveFile(file: Blob, name: string): void {
  const url = URL.createObjectURL(file);
  h('a', { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), SAVE_URL_LIFE_MS);
}

/** A refusal that no filter or choice on this page can change: the page gives way to an explanation. */
function pageProblem(refusal: Refusal): string | undefined {
  if (refusal.status === 401)
    return 'The service did not accept this token. Check the token in the address, or ask for a new one.';
  if (refusal.status === 403) return 'This token cannot read the incident record: it needs the review scope.';
  if (refusal.status === 503 && refusal.error === 'record_off') {
    return 'The incident record is off on this service (RECORD=off), so there are no incidents to review. Turn it on with RECORD=on and restart the service.';
  }
  return undefined;
}

/** A refusal the page shows next to what was asked; a bad filter's message names the field. */
function inlineProblem(refusal: Refusal): string {
  if (refusal.status === 0) return 'The service cannot be reached. Check that it is running, then try again.';
  if (refusal.status === 400) return `Check the filters: ${refusal.message.replace(/^querystring\./, '')}`;
  return `The service could not answer (HTTP ${refusal.status}): ${refusal.message}`;
}

/** Supervisors' and reviewers' view of the incident record: filters, the list, one incident's timeline, exports. */
class IncidentsView {
  private readonly list: IncidentList;
  private readonly timeline = new IncidentTimeline();
  private readonly notice = h('p', { class: 'incidents-problem', role: 'alert' });
  private readonly exportNote = h('p', { class: 'export-note', role: 'status' });
  private filters: IncidentFilters;
  private cursor: string | undefined;
  /** Answers to older requests than the newest of their kind are dropped. */
  private listRequest = 0;
  private detailRequest = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly frame: Frame,
    private readonly token: string,
    filters: IncidentFilters,
  ) {
    this.filters = filters;
    this.list = new IncidentList(
      (call) => void this.choose(call),
      () => void this.more(),
    );
    const form = new IncidentFilterForm(filters, (next) => void this.load(next));
    const exports = (Object.entries(EXPORTS) as [ExportFormat, string][]).map(([format, name]) => {
      const button = h('button', { type: 'button', class: 'export', 'data-format': format }, `Export as ${name}`);
      button.addEventListener('click', () => void this.export(format));
      return button;
    });
    frame.main.classList.add('incident-record');
    frame.main.append(
      h(
        'div',
        { class: 'record' },
        form.element,
        this.notice,
        h('div', { class: 'exports' }, ...exports, this.exportNote),
        this.list.element,
      ),
      this.timeline.element,
    );
  }

  async load(filters: IncidentFilters): Promise<void> {
    const request = ++this.listRequest;
    const answer = await askService<IncidentPage>(listPath(filters), this.token);
    if (request !== this.listRequest || !this.accepted(answer)) return;
    this.filters = filters;
    this.cursor = answer.value.nextCursor;
    this.list.show(answer.value.incidents, this.cursor !== undefined);
    history.replaceState(null, '', pageAddress(this.token, filters));
  }

  private async more(): Promise<void> {
    const request = ++this.listRequest;
    const answer = await askService<IncidentPage>(listPath(this.filters, this.cursor), this.token);
    if (request !== this.listRequest || !this.accepted(answer)) return;
    this.cursor = answer.value.nextCursor;
    this.list.append(answer.value.incidents, this.cursor !== undefined);
  }

  /** Saves every incident the list's filters match, not only the pages shown. */
  private async export(format: ExportFormat): Promise<void> {
    const name = `incidents.${format}`;
    this.exportNote.textContent = `Preparing ${name}…`;
    const answer = await fetchFile(exportPath(this.filters, format), this.token);
    this.exportNote.textContent = '';
    if (!this.accepted(answer)) return;
    saveFile(answer.value, name);
    this.exportNote.textContent = `Saved ${name} (${EXPORTS[format]}).`;
  }

  private async choose(call: IncidentCall): Promise<void> {
    const { callId } = call;
    const request = ++this.detailRequest;
    this.list.select(call);
    this.timeline.loading(callId);
    const answer = await askService<IncidentDetail>(detailPath(call), this.token);
    if (request !== this.detailRequest) return;
    if (answer.ok) return this.timeline.show(answer.value);
    const problem = pageProblem(answer);
    if (problem) return showProblem(this.root, problem);
    this.timeline.problem(
      answer.status === 404
        ? `No incident is recorded for call ${callId} any more (deleted, or past retention).`
        : inlineProblem(answer),
    );
  }

  /** True for an answer to show; otherwise the problem is shown, on the page or in its place. */
  private accepted<T>(answer: ServiceAnswer<T>): answer is Extract<ServiceAnswer<T>, { ok: true }> {
    if (answer.ok) {
      this.notice.textContent = '';
      this.frame.setStatus('live');
      return true;
    }
    const problem = pageProblem(answer);
    if (problem) showProblem(this.root, problem);
    else this.notice.textContent = inlineProblem(answer);
    return false;
  }
}

export function openIncidents(root: HTMLElement, params: IncidentsParams): void {
  const frame = mountFrame(root, 'Incident record', 'Review');
  void new IncidentsView(root, frame, params.token, params.filters).load(params.filters);
}
