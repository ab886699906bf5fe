import { describe, expect, it } from 'vitest';
import { refusedCall, refusedScope } from '../../../src/auth/agent-binding.js';
import type { Principal } from '../../../src/auth/tokens.js';

const bound: Principal = { tenant: 'acme', scopes: new Set(['subscribe']), name: 'agent-7', agentId: 'agent-7' };
const unbound: Principal = { tenant: 'acme', scopes: new Set(['subscribe']), name: 'agents' };

describe('a token bound to an agent', () => {
  it('may follow its own agent, and any call as far as the scope alone tells', () => {
    expect(refusedScope(bound, { agentId: 'agent-7' })).toBeUndefined();
    expect(refusedScope(bound, { callId: 'call-1' })).toBeUndefined();
    expect(refusedScope(bound, { agentId: 'agent-8' })).toEqual({
      ok: false,
      code: 'forbidden',
      message: "scope.agentId: this token is bound to agent agent-7 and may follow only that agent's calls",
    });
  });

  it('may see and act on its agent’s calls only, and says why another’s is refused', () => {
    expect(refusedCall(bound, { callId: 'call-1', agentId: 'agent-7' }, 'callId')).toBeUndefined();
    expect(refusedCall(bound, { callId: 'call-2', agentId: 'agent-8' }, 'scope.callId')).toEqual({
      ok: false,
      code: 'forbidden',
      message:
        "scope.callId: call call-2 is another agent's; this token is bound to agent agent-7 and may see and act on that agent's calls only",
    });
  });
});

describe('an unbound token', () => {
  it('keeps seeing and acting on every call of its tenant', () => {
    expect(refusedScope(unbound, { agentId: 'agent-8' })).toBeUndefined();
    expect(refusedCall(unbound, { callId: 'call-2', agentId: 'agent-8' }, 'callId')).toBeUndefined();
  });
});
