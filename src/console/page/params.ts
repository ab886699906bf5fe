import type { SubscriptionScope } from '../../protocol/subscribe-messages.js';
import { readFilters, type IncidentFilters } from './incident-query.js';

type View = 'agent' | 'supervisor';

export interface ConsoleParams {
  token: string;
  view: View;
  scope: SubscriptionScope;
  /** Who or what the page follows, for its heading. */
  subject: string;
}

/** The incident record, for supervisors and reviewers: no live feed, filters instead of a scope. */
export interface IncidentsParams {
  token: string;
  view: 'incidents';
  filters: IncidentFilters;
}

export type ParamsResult = { ok: true; params: ConsoleParams | IncidentsParams } | { ok: false; problem: string };

const problem = (text: string): ParamsResult => ({ ok: false, problem: text });

/** Reads ?token=&view=agent|supervisor|incidents&agentId=|callId=|teamId= (and the incidents page's filters) from the page address. */
export function readParams(search: string): ParamsResult {
  const query = new URLSearchParams(search);
  const token = query.get('token');
  const view = query.get('view') ?? 'agent';
  if (!token) return problem('This page needs your access token: add ?token=YOUR_TOKEN to the address.');
  if (view === 'incidents') return { ok: true, params: { token, view, filters: readFilters(query) } };
  if (view === 'supervisor') {
    const teamId = query.get('teamId');
    if (!teamId) return problem('The supervisor view needs the team to follow: add &teamId=YOUR_TEAM to the address.');
    return { ok: true, params: { token, view, scope: { teamId }, subject: `Team ${teamId}` } };
  }
  if (view !== 'agent')
    return problem(`There is no "${view}" view: use view=agent, view=supervisor or view=incidents.`);
  const callId = query.get('callId');
  if (callId) return { ok: true, params: { token, view, scope: { callId }, subject: `Call ${callId}` } };
  const agentId = query.get('agentId');
  if (agentId) return { ok: true, params: { token, view, scope: { agentId }, subject: agentId } };
  return problem(
    'The agent view needs to know whose calls to show: add &agentId=YOUR_AGENT_ID (or &callId=A_CALL) to the address.',
  );
}
