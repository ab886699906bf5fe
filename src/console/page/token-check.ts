import type { ConsoleSession } from '../../protocol/console-session.js';
import type { ConsoleParams } from './params.js';

export interface TokenProblem {
  message: string;
  /** The service could not answer (unreachable, failing): asking again later may succeed. */
  transient: boolean;
}

/** Asks the service about the token: a refused WebSocket upgrade tells the page nothing about why. */
export async function tokenProblem(
  token: string,
  { view, scope }: Pick<ConsoleParams, 'view' | 'scope'>,
): Promise<TokenProblem | undefined> {
  let response: Response;
  try {
    response = await fetch('/console/session', { headers: { authorization: `Bearer ${token}` } });
  } catch {
    return {
      message: 'The service cannot be reached. Check that it is running, then reload this page.',
      transient: true,
    };
  }
  if (response.status === 401)
    return {
      message: 'The service did not accept this token. Check the token in the address, or ask for a new one.',
      transient: false,
    };
  if (response.status === 403)
    return { message: 'This token cannot follow calls: it needs the subscribe scope.', transient: false };
  if (!response.ok)
    return {
      message: `The service could not check the token (HTTP ${response.status}). Reload to try again.`,
      transient: true,
    };
  const session = (await response.json()) as ConsoleSession;
  if (view === 'supervisor' && !session.scopes.includes('supervise')) {
    return {
      message: 'This token cannot follow a team: the supervisor view needs a token with the supervise scope.',
      transient: false,
    };
  }
  if (session.agentId !== undefined && 'agentId' in scope && scope.agentId !== session.agentId) {
    return {
      message: `This token is bound to agent ${session.agentId}: it shows only their calls. Open the console with &agentId=${session.agentId}.`,
      transient: false,
    };
  }
  return undefined;
}
