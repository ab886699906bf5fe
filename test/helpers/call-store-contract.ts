import { describe, expect, it } from 'vitest';
import type { CallInfo } from '../../src/state/call-state.js';
import { initialLadderState } from '../../src/ladder/state.js';
import type { Cue } from '../../src/protocol/cue.js';
import type { CallSummary } from '../../src/protocol/subscribe-messages.js';
import { FencedError, NumberingError, type CallStore, type Envelope, type Lease } from '../../src/state/call-state.js';
import { customerLine, newCall } from './store-inputs.js';

export interface StoreFixture {
  store: CallStore;
  /** Every envelope the store announced, in order (the Redis fixture listens on the tenant's channel). */
  announced: Envelope[];
  /** Lets every lease now held run out. */
  expireLeases(): Promise<void>;
  leaseTtlMs: number;
  /** The store's replay buffer and transcript tail sizes. */
  replayBuffer: number;
  transcriptLines: number;
}

const cueOf = (info: CallInfo, epoch: string, seq: number): Cue => ({
  id: `cue-${seq}`,
  seq,
  epoch,
  callId: info.callId,
  agentId: info.agentId,
  type: 'set-limit',
  severity: 'notice',
  step: 'limit',
  script: 'say it calmly',
  evidence: [],
  emittedAt: 1_800_000_000_000 + seq,
});

const summaryOf = (info: CallInfo, epoch: string, lastSeq: number, ended = false): CallSummary => ({
  callId: info.callId,
  agentId: info.agentId,
  epoch,
  lastSeq,
  step: 'limit',
  ended,
});

/** Waits until `condition` holds: Pub/Sub delivers asynchronously. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

const announcedFor = (fixture: StoreFixture, info: CallInfo) =>
  fixture.announced.filter((e) => e.info.callId === info.callId).map((e) => e.event);

/** The behaviour every CallStore implementation owes the hub; run against memory and Redis. */
export function callStoreContract(name: string, setup: () => StoreFixture | Promise<StoreFixture>) {
  describe(`${name} call store`, () => {
    /** Opens a call: lease taken, numbering read. */
    async function open(
      fixture: StoreFixture,
      info = newCall(),
      holder = 'instance-a',
    ): Promise<{ info: CallInfo; lease: Lease; epoch: string }> {
      const lease = await fixture.store.leases.acquire(info, holder, fixture.leaseTtlMs);
      if (!lease) throw new Error('lease not acquired');
      const { epoch } = await fixture.store.cues.numbering(info);
      return { info, lease, epoch };
    }

    it('grants a call lease to one holder at a time, with a greater token for each new holder', async () => {
      const { store, leaseTtlMs, expireLeases } = await setup();
      const info = newCall();
      const first = await store.leases.acquire(info, 'instance-a', leaseTtlMs);
      expect(first).toBeDefined();
      expect(await store.leases.acquire(info, 'instance-b', leaseTtlMs)).toBeUndefined();
      expect(await store.leases.acquire(info, 'instance-a', leaseTtlMs)).toEqual(first);
      expect(await store.leases.renew(info, first!, leaseTtlMs)).toBe(true);
      await expireLeases();
      expect(await store.leases.renew(info, first!, leaseTtlMs)).toBe(false);
      const second = await store.leases.acquire(info, 'instance-b', leaseTtlMs);
      expect(second!.token).toBeGreaterThan(first!.token);
      await store.leases.release(info, first!); // not the holder any more: changes nothing
      expect(await store.leases.acquire(info, 'instance-a', leaseTtlMs)).toBeUndefined();
      await store.leases.release(info, second!);
      expect(await store.leases.acquire(info, 'instance-a', leaseTtlMs)).toBeDefined();
    });

    it('numbers each call once: the epoch stays, lastSeq follows the committed cues', async () => {
      const fixture = await setup();
      const { store } = fixture;
      const { info, lease, epoch } = await open(fixture);
      expect(await store.cues.numbering(info)).toEqual({ epoch, lastSeq: 0 });
      const cues = [cueOf(info, epoch, 1), cueOf(info, epoch, 2)];
      await store.ladders.commit(info, lease, {
        ladder: initialLadderState(),
        cues,
        summary: summaryOf(info, epoch, 2),
      });
      expect(await store.cues.numbering(info)).toEqual({ epoch, lastSeq: 2 });
      expect(await store.cues.get(info, 2)).toEqual(cues[1]);
      expect(await store.cues.since(info, 1)).toEqual({ items: [cues[1]], missing: undefined });
      expect(await store.cues.numbering(newCall())).not.toEqual({ epoch, lastSeq: 0 });
    });

    it('commits a transition whole: ladder, cues announced in order, summary', async () => {
      const fixture = await setup();
      const { store } = fixture;
      const { info, lease, epoch } = await open(fixture);
      const ladder = {
        ...initialLadderState(),
        step: 'warning' as const,
        rung: 2 as const,
        abusiveCount: 2,
        stepsTaken: ['limit' as const],
      };
      const cues = [1, 2, 3].map((seq) => cueOf(info, epoch, seq));
      await store.ladders.commit(info, lease, { ladder, cues, summary: summaryOf(info, epoch, 3) });
      expect(await store.ladders.load(info)).toEqual(ladder);
      expect(await store.directory.entry(info)).toEqual({ info, summary: summaryOf(info, epoch, 3) });
      await eventually(() => announcedFor(fixture, info).length === 3);
      expect(announcedFor(fixture, info)).toEqual(cues.map((cue) => ({ type: 'cue', cue })));
    });

    it('refuses cues that do not continue the numbering, and takes a resent commit once', async () => {
      const fixture = await setup();
      const { store } = fixture;
      const { info, lease, epoch } = await open(fixture);
      const transition = {
        ladder: initialLadderState(),
        cues: [cueOf(info, epoch, 1)],
        summary: summaryOf(info, epoch, 1),
      };
      await store.ladders.commit(info, lease, transition);
      await store.ladders.commit(info, lease, transition).catch(() => undefined);
      await expect(
        store.ladders.commit(info, lease, { ...transition, cues: [cueOf(info, epoch, 3)] }),
      ).rejects.toThrow();
      expect((await store.cues.since(info, 0)).items.map((cue) => cue.seq)).toEqual([1]);
    });

    it('puts back a holder’s numbering and ladder after the store lost them', async () => {
      const fixture = await setup();
      const { store } = fixture;
      const { info, lease, epoch } = await open(fixture);
      const ladder = { ...initialLadderState(), step: 'warning' as const, rung: 2 as const };
      await store.ladders.restore(info, lease, { epoch, lastSeq: 7 }, ladder);
      expect(await store.cues.numbering(info)).toEqual({ epoch, lastSeq: 7 });
      expect(await store.ladders.load(info)).toEqual(ladder);
      await store.ladders.commit(info, lease, {
        ladder,
        cues: [cueOf(info, epoch, 8)],
        summary: summaryOf(info, epoch, 8),
      });
      expect(await store.cues.since(info, 6)).toEqual({
        items: [cueOf(info, epoch, 8)],
        missing: { afterSeq: 6, beforeSeq: 8 },
      });
      await expect(
        store.ladders.commit(info, lease, {
          ladder,
          cues: [cueOf(info, epoch, 10)],
          summary: summaryOf(info, epoch, 10),
        }),
      ).rejects.toBeInstanceOf(NumberingError);
    });

    it('keeps the newest cues for replay and says which ones are gone', async () => {
      const fixture = await setup();
      const { store, replayBuffer } = fixture;
      const { info, lease, epoch } = await open(fixture);
      const total = replayBuffer + 2;
      const cues = Array.from({ length: total }, (_, i) => cueOf(info, epoch, i + 1));
      await store.ladders.commit(info, lease, {
        ladder: initialLadderState(),
        cues,
        summary: summaryOf(info, epoch, total),
      });
      const replay = await store.cues.since(info, 0);
      expect(replay.missing).toEqual({ afterSeq: 0, beforeSeq: 3 });
      expect(replay.items.map((cue) => cue.seq)).toEqual(cues.slice(2).map((cue) => cue.seq));
      expect((await store.cues.since(info, 2)).missing).toBeUndefined();
      expect(await store.cues.get(info, 1)).toBeUndefined();
    });

    it('fences every write of a holder whose lease another took: nothing changes', async () => {
      const fixture = await setup();
      const { store, leaseTtlMs } = fixture;
      const { info, lease: stale, epoch } = await open(fixture);
      const ladder = { ...initialLadderState(), step: 'limit' as const, rung: 1 as const };
      await store.ladders.commit(info, stale, {
        ladder,
        cues: [cueOf(info, epoch, 1)],
        summary: summaryOf(info, epoch, 1),
      });
      await fixture.expireLeases();
      const current = await store.leases.acquire(info, 'instance-b', leaseTtlMs);
      expect(current).toBeDefined();
      const forked = { ...initialLadderState(), step: 'warning' as const, rung: 2 as const };
      await expect(
        store.ladders.commit(info, stale, {
          ladder: forked,
          cues: [cueOf(info, epoch, 2)],
          summary: summaryOf(info, epoch, 2),
        }),
      ).rejects.toBeInstanceOf(FencedError);
      await expect(store.transcripts.append(info, stale, customerLine(info, 's1', 'late'))).rejects.toBeInstanceOf(
        FencedError,
      );
      await expect(store.directory.update(info, stale, summaryOf(info, epoch, 9, true))).rejects.toBeInstanceOf(
        FencedError,
      );
      await expect(
        store.directory.announce(info, stale, { type: 'call', event: 'moved', call: summaryOf(info, epoch, 9) }),
      ).rejects.toBeInstanceOf(FencedError);
      expect(await store.ladders.load(info)).toEqual(ladder);
      expect(await store.cues.numbering(info)).toEqual({ epoch, lastSeq: 1 });
      expect(await store.transcripts.lines(info)).toEqual([]);
      expect((await store.directory.entry(info))?.summary).toEqual(summaryOf(info, epoch, 1));
      // The new holder carries on from what the old one committed.
      await store.ladders.commit(info, current!, {
        ladder: forked,
        cues: [cueOf(info, epoch, 2)],
        summary: summaryOf(info, epoch, 2),
      });
      expect((await store.cues.since(info, 0)).items.map((cue) => cue.seq)).toEqual([1, 2]);
    });

    it('keeps the newest final lines, a revision of the last segment replacing it; partials are only announced', async () => {
      const fixture = await setup();
      const { store, transcriptLines } = fixture;
      const { info, lease } = await open(fixture);
      for (let i = 0; i <= transcriptLines; i++)
        await store.transcripts.append(info, lease, customerLine(info, `s${i}`, `line ${i}`));
      await store.transcripts.append(info, lease, customerLine(info, `s${transcriptLines}`, 'revised'));
      await store.transcripts.append(info, lease, customerLine(info, 'open', 'still talking', false));
      const kept = await store.transcripts.lines(info);
      expect(kept.map((l) => l.text)).toEqual([
        ...Array.from({ length: transcriptLines - 1 }, (_, i) => `line ${i + 1}`),
        'revised',
      ]);
      await eventually(() => announcedFor(fixture, info).length === transcriptLines + 3);
      expect(announcedFor(fixture, info).at(-1)).toEqual(customerLine(info, 'open', 'still talking', false));
    });

    it('lets the first claim on an alert stand and announces it once', async () => {
      const fixture = await setup();
      const { store } = fixture;
      const { info } = await open(fixture);
      const first = { type: 'alert.claimed' as const, callId: info.callId, seq: 3, by: 'lead-north', at: 1 };
      expect(await store.claims.claim(info, first)).toEqual({ standing: first, fresh: true });
      expect(await store.claims.claim(info, { ...first, by: 'lead-south', at: 2 })).toEqual({
        standing: first,
        fresh: false,
      });
      expect(await store.claims.list(info)).toEqual([first]);
      const another = { ...first, seq: 5 };
      await store.claims.claim(info, another);
      await eventually(() => announcedFor(fixture, info).length >= 2);
      expect(announcedFor(fixture, info)).toEqual([first, another]);
    });

    it('lists a tenant’s calls and forgets the oldest ended ones beyond the retention', async () => {
      const fixture = await setup();
      const { store } = fixture;
      const tenant = `t-${Math.random().toString(36).slice(2, 8)}`;
      const opened = [];
      for (const callId of ['c1', 'c2', 'c3']) {
        const call = await open(fixture, { tenant, callId, agentId: 'agent-1' });
        await store.ladders.commit(call.info, call.lease, {
          ladder: initialLadderState(),
          cues: [cueOf(call.info, call.epoch, 1)],
          summary: summaryOf(call.info, call.epoch, 1),
        });
        opened.push(call);
      }
      expect((await store.directory.list(tenant)).map((e) => e.info.callId).sort()).toEqual(['c1', 'c2', 'c3']);
      const [c1, c2, c3] = opened as [(typeof opened)[0], (typeof opened)[0], (typeof opened)[0]];
      await store.directory.ended(c1.info, 1);
      await store.directory.ended(c2.info, 1);
      await store.directory.reopened(c2.info);
      await store.directory.ended(c3.info, 1);
      expect((await store.directory.list(tenant)).map((e) => e.info.callId).sort()).toEqual(['c2', 'c3']);
      expect(await store.cues.get(c1.info, 1)).toBeUndefined();
      expect((await store.cues.numbering(c1.info)).epoch).not.toBe(c1.epoch);
      expect(await store.directory.list('another-tenant')).toEqual([]);
    });

    it('marks a live call as fed by signed webhooks only, fenced; the mark ends with the call and goes when it is started again', async () => {
      const fixture = await setup();
      const { store } = fixture;
      const { info, lease, epoch } = await open(fixture);
      await store.directory.update(info, lease, summaryOf(info, epoch, 0));
      expect(await store.signedWebhooks.marked(info)).toBe(false);
      await expect(store.signedWebhooks.mark(info, { ...lease, token: lease.token + 1 })).rejects.toBeInstanceOf(
        FencedError,
      );
      expect(await store.signedWebhooks.marked(info)).toBe(false);
      await store.signedWebhooks.mark(info, lease);
      expect(await store.signedWebhooks.marked(info)).toBe(true);
      expect(await store.signedWebhooks.marked(newCall())).toBe(false);
      await store.directory.update(info, lease, summaryOf(info, epoch, 0, true));
      await store.directory.ended(info, 10);
      expect(await store.signedWebhooks.marked(info)).toBe(false);
      await store.directory.reopened(info);
      await store.directory.update(info, lease, summaryOf(info, (await store.cues.numbering(info)).epoch, 0));
      expect(await store.signedWebhooks.marked(info)).toBe(false);
    });

    it('numbers a call started again after it ended afresh: another epoch, none of the old call’s cues, lines, claims or ladder', async () => {
      const fixture = await setup();
      const { store } = fixture;
      const { info, lease, epoch } = await open(fixture);
      await store.ladders.commit(info, lease, {
        ladder: { ...initialLadderState(), step: 'limit' },
        cues: [cueOf(info, epoch, 1)],
        summary: summaryOf(info, epoch, 1),
      });
      await store.transcripts.append(info, lease, customerLine(info, 's1', 'you idiot'));
      await store.claims.claim(info, { type: 'alert.claimed', callId: info.callId, seq: 1, by: 'lead', at: 1 });
      await store.directory.update(info, lease, summaryOf(info, epoch, 1, true));
      await store.directory.ended(info, 10);
      await store.directory.reopened(info);
      const numbering = await store.cues.numbering(info);
      expect(numbering.epoch).not.toBe(epoch);
      expect(numbering.lastSeq).toBe(0);
      expect(await store.cues.get(info, 1)).toBeUndefined();
      expect(await store.transcripts.lines(info)).toEqual([]);
      expect(await store.claims.list(info)).toEqual([]);
      expect(await store.ladders.load(info)).toBeUndefined();
      await store.ladders.commit(info, lease, {
        ladder: initialLadderState(),
        cues: [cueOf(info, numbering.epoch, 1)],
        summary: summaryOf(info, numbering.epoch, 1),
      });
      expect(await store.cues.get(info, 1)).toMatchObject({ epoch: numbering.epoch });
    });
  });
}
