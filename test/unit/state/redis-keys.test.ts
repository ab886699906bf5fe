import { describe, expect, it } from 'vitest';
import { callChannels, channelOrder, scopeChannel } from '../../../src/state/redis-keys.js';

describe('scope channels', () => {
  const info = { tenant: 'acme corp', callId: 'c:1', agentId: 'agent 7', teamId: 'team-a' };

  it('publishes a call’s events on the channel of each scope covering it, in publishing order', () => {
    const channels = callChannels(info).split(' ');
    expect(channels).toEqual([
      scopeChannel(info.tenant, { callId: info.callId }),
      scopeChannel(info.tenant, { agentId: info.agentId }),
      scopeChannel(info.tenant, { teamId: 'team-a' }),
      scopeChannel(info.tenant, { tenant: true }),
    ]);
    expect(channels.map(channelOrder)).toEqual([0, 1, 2, 3]);
  });

  it('skips the team channel of a call without a team, and keeps ids with separators apart', () => {
    const { teamId: _, ...noTeam } = info;
    expect(callChannels(noTeam).split(' ').map(channelOrder)).toEqual([0, 1, 3]);
    expect(scopeChannel('a:b', { tenant: true })).not.toBe(scopeChannel('a', { agentId: 'b:tenant' }));
    expect(channelOrder(scopeChannel('a', { agentId: 'x:tenant' }))).toBe(1);
  });
});
