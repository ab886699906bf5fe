import { refusal, type Refusal } from '../protocol/errors.js';
import type { SubscriptionScope } from '../protocol/subscribe-messages.js';
import type { Principal } from './tokens.js';

/**
 * Why a token bound to an agent may not follow `scope` (undefined: it may, as far as the scope
 * alone tells). A call scope is checked against the call's agent once it is known (see
 * refusedCall); a call not started yet is followed, its events reaching the token only if the call
 * turns out to be the agent's.
 */
export function refusedScope({ agentId }: Principal, scope: SubscriptionScope): Refusal | undefined {
  if (agentId === undefined || !('agentId' in scope) || scope.agentId === agentId) return undefined;
  return refusal(
    'forbidden',
    `scope.agentId: this token is bound to agent ${agentId} and may follow only that agent's calls`,
  );
}

/**
 * Why a token bound to an agent may not see or act on `call`, another agent's (undefined: it may).
 * `field` names where the call was named (`callId`, `scope.callId`).
 */
export function refusedCall(
  { agentId }: Principal,
  call: { callId: string; agentId: string },
  field: string,
): Refusal | undefined {
  if (agentId === undefined || call.agentId === agentId) return undefined;
  return refusal(
    'forbidden',
    `${field}: call ${call.callId} is another agent's; this token is bound to agent ${agentId} and may see and act on that agent's calls only`,
  );
}
