import type { CallInfo } from '../../src/state/call-state.js';
import type { TranscriptEvent } from '../../src/protocol/subscribe-messages.js';

let calls = 0;
/** A call of its own for each test (the Redis fixtures share one server). */
export const newCall = (agentId = 'agent-7', teamId = 'team-a'): CallInfo => ({
  tenant: 'acme',
  callId: `call-${++calls}-${Math.random().toString(36).slice(2, 8)}`,
  agentId,
  teamId,
});

/** A customer's transcript line on the call. */
export const customerLine = (info: CallInfo, segmentId: string, text: string, isFinal = true): TranscriptEvent => ({
  type: 'transcript',
  callId: info.callId,
  segmentId,
  speaker: 'customer',
  isFinal,
  text,
  startMs: 0,
  endMs: 1000,
});
