import type { IncidentSummary } from '../../protocol/incidents.js';
/** The incidents page's filters as the address and the form hold them: days as YYYY-MM-DD, the rest as typed. */
export interface IncidentFilters {
  from?: string;
  to?: string;
  agentId?: string;
  teamId?: string;
  cueType?: string;
  /** Incidents per page; only from the address (the service's default otherwise). */
  limit?: string;
}

const FILTER_FIELDS = [
  'from',
  'to',
  'agentId',
  'teamId',
  'cueType',
  'limit',
] as const satisfies readonly (keyof IncidentFilters)[];
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function readFilters(query: URLSearchParams): IncidentFilters {
  const filters: IncidentFilters = {};
  for (const field of FILTER_FIELDS) {
    const value = query.get(field)?.trim();
    if (value) filters[field] = value;
  }
  return filters;
}

/**
 * A day's local midnight in epoch ms (`to` takes the next day's: the last day counts whole). Text
 * that is not a day goes to the service as it is, so its answer names the field.
 */
function dayStart(day: string, daysLater: number): string {
  const match = DAY.exec(day);
  if (!match) return day;
  const [, year, month, date] = match.map(Number) as [number, number, number, number];
  return String(new Date(year, month - 1, date + daysLater).getTime());
}

/** The filters as GET /v1/incidents reads them. */
function serviceQuery(filters: IncidentFilters): URLSearchParams {
  const query = new URLSearchParams();
  for (const field of FILTER_FIELDS) {
    const value = filters[field];
    if (value === undefined) continue;
    query.set(field, field === 'from' ? dayStart(value, 0) : field === 'to' ? dayStart(value, 1) : value);
  }
  return query;
}

export function listPath(filters: IncidentFilters, cursor?: string): string {
  const query = serviceQuery(filters);
  if (cursor !== undefined) query.set('cursor', cursor);
  return `/v1/incidents?${query}`;
}

/** One call's incident: a call id used again after its end is another call, told apart by its epoch. */
export type IncidentCall = Pick<IncidentSummary, 'callId' | 'epoch'>;

export const detailPath = ({ callId, epoch }: IncidentCall): string =>
  `/v1/incidents/${encodeURIComponent(callId)}?${new URLSearchParams({ epoch })}`;

export type ExportFormat = 'jsonl' | 'csv';

/** Every incident the filters match (no paging), as JSON lines or CSV. */
export function exportPath(filters: IncidentFilters, format: ExportFormat): string {
  const { limit: _limit, ...filter } = filters;
  const query = serviceQuery(filter);
  query.set('format', format);
  return `/v1/incidents/export?${query}`;
}

/** This page's own address with these filters, so a reload or a shared link shows the same list. */
export function pageAddress(token: string, filters: IncidentFilters): string {
  const query = new URLSearchParams({ view: 'incidents', token });
  for (const field of FILTER_FIELDS) {
    const value = filters[field];
    if (value !== undefined) query.set(field, value);
  }
  return `/console?${query}`;
}
