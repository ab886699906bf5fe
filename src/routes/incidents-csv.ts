import type { IncidentDetail } from '../protocol/incidents.js';

const COLUMNS = [
  'call_id',
  'epoch',
  'agent_id',
  'team_id',
  'at',
  'kind',
  'speaker',
  'label',
  'cue_type',
  'step',
  'by',
  'text',
] as const;

/**
 * RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. A value a
 * spreadsheet would read as a formula (=, +, -, @, tab or carriage return first: callers' words and
 * producers' ids are untrusted) gets a leading apostrophe, so it shows as text.
 */
const cell = (value: unknown): string => {
  const raw = value === undefined || value === null ? '' : String(value);
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** One row per timeline entry: lines with speaker, label and text; cues with type, step and evidence text; claims and corrections with who. */
export function incidentsCsv(incidents: readonly IncidentDetail[]): string {
  const rows = [COLUMNS.join(',')];
  for (const incident of incidents) {
    for (const entry of incident.timeline) {
      const d = entry.data as Record<string, unknown> & { evidence?: { text: string }[] };
      const row: Record<(typeof COLUMNS)[number], unknown> = {
        call_id: incident.callId,
        epoch: incident.epoch,
        agent_id: incident.agentId,
        team_id: incident.teamId,
        at: new Date(entry.at).toISOString(),
        kind: entry.kind,
        speaker: d.speaker,
        label: d.label,
        cue_type: entry.kind === 'cue' ? d.type : undefined,
        step: d.step,
        by: d.by,
        text: entry.kind === 'cue' ? d.evidence?.[0]?.text : d.text,
      };
      rows.push(COLUMNS.map((c) => cell(row[c])).join(','));
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}
