import type { CueType } from '../../protocol/cue.js';
import type { IncidentCue } from '../../protocol/incidents.js';
import { CUE_TITLES } from './words.js';

/** The cues that make a call an incident, as a reviewer names them; the Record type keeps it in step with INCIDENT_CUES. */
export const INCIDENT_CUE_NAMES: Record<IncidentCue, string> = {
  'set-limit': 'Limit set',
  warn: 'Warning',
  transfer: 'Warm transfer',
  release: 'Release',
  'ask-meaning': 'Ambiguous menace',
  'safety-alert': 'Threat (safety alert)',
};

export const incidentCueName = (type: CueType): string =>
  (INCIDENT_CUE_NAMES as Partial<Record<CueType, string>>)[type] ?? CUE_TITLES[type];

/** Wall-clock times: the record's `at` values are epoch ms. */
export const dateTime = (at: number): string =>
  new Date(at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
export const timeOfDay = (at: number): string =>
  new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
