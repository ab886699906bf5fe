import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallStore } from '../../../src/console/page/call-store.js';
import { LiveFeed, type FeedHandlers } from '../../../src/console/page/live-feed.js';
import type { CallSummary } from '../../../src/protocol/subscribe-messages.js';

/** The browser's WebSocket as the feed uses it; the test plays the service. */
class FakeSocket {
  static readonly OPEN = 1;
  static opened: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  onopen?: () => void;
  onmessage?: (message: { data: string }) => void;
  onclose?: () => void;

  constructor() {
    FakeSocket.opened.push(this);
  }

  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  reply(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {
    this.readyState = 3;
    this.onclose?.();
  }

  lastSubscribe(): Record<string, unknown> {
    return this.sent.filter((m) => m.type === 'subscribe').at(-1)!;
  }
}

const summary = (callId: string, lastSeq: number, ended: boolean): CallSummary => ({
  callId,
  agentId: 'a1',
  teamId: 't1',
  epoch: 'e1',
  lastSeq,
  step: lastSeq > 0 ? 'safety' : 'listen',
  ended,
});

function feed(overrides: Partial<FeedHandlers> = {}) {
  const refused: string[] = [];
  const store = new CallStore(() => undefined);
  const handlers: FeedHandlers = {
    onCalls: (calls, reconnected) => store.applySummaries(calls, reconnected),
    onEvent: (event) => store.apply(event),
    onStatus: () => undefined,
    onAck: () => undefined,
    onRefused: (problem) => void refused.push(problem),
    whyRefused: async () => undefined,
    ...overrides,
  };
  const live = new LiveFeed(
    {
      url: 'ws://service/v1/subscribe',
      scope: { teamId: 't1' },
      transcript: false,
      resumePoints: () => store.resumePoints(),
    },
    handlers,
  );
  live.start();
  return { live, refused };
}

beforeEach(() => {
  FakeSocket.opened = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/**
 * The feed's first socket subscribes, hears what `meanwhile` sends, and drops; the reconnect's
 * subscribe is answered with `calls`. Returns the second socket.
 */
async function reconnected(
  calls: CallSummary[],
  meanwhile: (first: FakeSocket) => void = () => {},
): Promise<FakeSocket> {
  const first = FakeSocket.opened[0]!;
  first.open();
  first.reply({ type: 'subscribed', id: first.lastSubscribe().id, subscriptionId: 's1', calls: [] });
  meanwhile(first);
  first.close();
  await vi.advanceTimersByTimeAsync(500);
  const second = FakeSocket.opened[1]!;
  second.open();
  second.reply({ type: 'subscribed', id: second.lastSubscribe().id, subscriptionId: 's2', calls });
  return second;
}

describe('the console’s live feed', () => {
  it('tries again, waiting longer each time, while the service cannot reach its call store', async () => {
    const { refused } = feed();
    for (const wait of [500, 1000]) {
      const socket = FakeSocket.opened.at(-1)!;
      socket.open();
      socket.reply({
        type: 'error',
        code: 'unavailable',
        message: 'the call store is unreachable',
        id: socket.lastSubscribe().id,
      });
      await vi.advanceTimersByTimeAsync(wait - 1);
      const before = FakeSocket.opened.length;
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeSocket.opened.length).toBe(before + 1);
    }
    expect(refused).toEqual([]);
  });

  it('after a reconnect, reads back the cues of a call that started and ended while it was away', async () => {
    feed();
    const second = await reconnected([summary('short-threat', 2, true), summary('quiet', 0, true)]);
    expect(second.lastSubscribe().resume).toEqual({ 'short-threat': { epoch: 'e1', seq: 0 } });
  });

  it('after a reconnect, asks once for the calls it follows: an ended call it read to its end is not asked for again', async () => {
    feed();
    const second = await reconnected([summary('done', 1, true)], (first) => {
      first.reply({
        type: 'cue',
        cue: { seq: 1, epoch: 'e1', callId: 'done', agentId: 'a1', type: 'set-limit', evidence: [] },
      });
      first.reply({ type: 'call', event: 'ended', call: summary('done', 1, true) });
    });
    expect(second.sent.filter((m) => m.type === 'subscribe')).toHaveLength(1);
  });

  it('names the epoch of the call the agent saw in an ack, and reports the service turning it down', () => {
    const outcomes: unknown[] = [];
    const { live } = feed({ onAck: (step, outcome) => void outcomes.push([step, outcome]) });
    const socket = FakeSocket.opened[0]!;
    socket.open();
    expect(live.acknowledge({ callId: 'c1', epoch: 'e1' }, 'limit-set')).toBe(true);
    const ack = socket.sent.find((m) => m.type === 'agent.ack')!;
    expect(ack).toEqual({ type: 'agent.ack', id: ack.id, callId: 'c1', epoch: 'e1', step: 'limit-set' });
    socket.reply({ type: 'error', code: 'unknown_call', message: 'epoch: call c1 of epoch e1 has ended', id: ack.id });
    expect(outcomes).toEqual([['limit-set', { ok: false, problem: 'epoch: call c1 of epoch e1 has ended' }]]);
  });

  it('tells the supervisor when the service turns a claim down', () => {
    const { live } = feed();
    const socket = FakeSocket.opened[0]!;
    socket.open();
    const problems: string[] = [];
    expect(live.claimAlert('gone', 2, (problem) => problems.push(problem))).toBe(true);
    const claim = socket.sent.find((m) => m.type === 'alert.claim')!;
    socket.reply({ type: 'error', code: 'unknown_call', message: 'callId: no call gone', id: claim.id });
    expect(problems).toEqual(['callId: no call gone']);
  });
});
