import type { ConsoleSession } from '../../protocol/console-session.js';
import type { View } from './params.js';

/** Asks the service about the token first: a refused WebSocket upgrade tells the page nothing about why. */
export async function tokenProblem(token: string, view: View): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch('/console/session', { headers: { authorization: `Bearer ${token}` } });
  } catch {
    return 'The service cannot be reached. Check that it is running, then reload this page.';
  }
  if (response.status === 401) return 'The service did not accept this token. Check the token in the address, or ask for a new one.';
  if (response.status === 403) return 'This token cannot follow calls: it needs the subscribe scope.';
  if (!response.ok) return `The service could not check the token (HTTP ${response.status}). Reload to try again.`;
  const session = (await response.json()) as ConsoleSession;
  if (view === 'supervisor' && !session.scopes.includes('supervise')) {
    return 'This token cannot follow a team: the supervisor view needs a token with the supervise scope.';
  }
  return undefined;
}
