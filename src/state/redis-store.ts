import type { Redis } from 'ioredis';
import type { LadderState } from '../ladder/state.js';
import type { Cue } from '../protocol/cue.js';
import type { AlertClaimed, CallSummary, TranscriptEvent } from '../protocol/subscribe-messages.js';
import {
  FencedError,
  NumberingError,
  type CallInfo,
  type CallRef,
  type CallStore,
  type Lease,
  type PostedAck,
} from './call-state.js';
import { newEpoch } from './epoch.js';
import { callChannels, callKeys, INBOX_CHANNEL_PREFIX, TENANTS_KEY, tenantKeys } from './redis-keys.js';
import { defineScripts, isFenced, isOutOfSequence, type RunScript } from './redis-scripts.js';

export interface RedisStoreOptions {
  /** Cues kept per call for replay (the stream's MAXLEN). */
  replayBuffer: number;
  /** Final lines kept per call. */
  transcriptLines: number;
}

type StreamEntry = [id: string, fields: string[]];

const leaseValue = (lease: Lease): string => `${lease.token}:${lease.holder}`;
const cueOf = ([, fields]: StreamEntry): Cue => JSON.parse(fields[1]!) as Cue;
/**
 * An ack as the inbox keeps it: the bare step when it names no epoch, which instances from before
 * acks carried epochs read too (a rolling upgrade), else JSON.
 */
const postedAckText = ({ step, epoch }: PostedAck): string =>
  epoch === undefined ? step : JSON.stringify({ step, epoch });
/** An ack from the inbox: JSON, or a bare step (see postedAckText). */
const postedAckOf = (ack: string): PostedAck =>
  ack.startsWith('{') ? (JSON.parse(ack) as PostedAck) : { step: ack as PostedAck['step'] };
const seqOf = ([id]: StreamEntry): number => Number(id.split('-')[0]);

/**
 * Every call's shared state in Redis 7: any instance can carry on any call. Writes of a call's
 * owner are Lua scripts that check its lease first (fencing) and publish the events they make on
 * the channels of the call's scopes in the same step, so what is stored and what is announced cannot part.
 * `redis` is the store's own connection (the event listener needs another: a subscribed
 * connection cannot send commands).
 */
export function redisCallStore(redis: Redis, options: RedisStoreOptions): CallStore {
  const run: RunScript = defineScripts(redis);
  const fenced = async (call: CallRef, write: Promise<unknown>): Promise<void> => {
    try {
      await write;
    } catch (error) {
      if (isFenced(error)) throw new FencedError(`call ${call.callId}: ${(error as Error).message}`);
      if (isOutOfSequence(error)) throw new NumberingError(`call ${call.callId}: ${(error as Error).message}`);
      throw error;
    }
  };
  const infoJson = (info: CallInfo): string => JSON.stringify(info);
  const entryJson = (info: CallInfo, summary: CallSummary): string => JSON.stringify({ info, summary });

  return {
    leases: {
      async acquire(call, holder, ttlMs) {
        const { lease, fence } = callKeys(call);
        const token = (await run('acquireLease', [lease, fence], [holder, ttlMs])) as number | null;
        return token === null ? undefined : { holder, token };
      },
      async renew(call, lease, ttlMs) {
        return (await run('renewLease', [callKeys(call).lease], [leaseValue(lease), ttlMs])) === 1;
      },
      async release(call, lease) {
        await run('releaseLease', [callKeys(call).lease], [leaseValue(lease)]);
      },
      async held(call) {
        return (await redis.exists(callKeys(call).lease)) === 1;
      },
    },
    cues: {
      async numbering(call) {
        const [epoch, lastSeq] = (await run('numbering', [callKeys(call).meta], [newEpoch()])) as [string, string];
        return { epoch, lastSeq: Number(lastSeq) };
      },
      async since(call, afterSeq) {
        // Trimming only drops the oldest, so the newest is always held: what comes back starts
        // right after afterSeq unless some of what followed it is gone.
        const after = (await redis.xrange(callKeys(call).cues, `${afterSeq + 1}-0`, '+')) as StreamEntry[];
        const first = after[0];
        const missing = first && seqOf(first) > afterSeq + 1 ? { afterSeq, beforeSeq: seqOf(first) } : undefined;
        return { items: after.map(cueOf), missing };
      },
      async get(call, seq) {
        const [entry] = (await redis.xrange(callKeys(call).cues, `${seq}-0`, `${seq}-0`)) as StreamEntry[];
        return entry ? cueOf(entry) : undefined;
      },
    },
    ladders: {
      async load(call) {
        const ladder = await redis.hget(callKeys(call).meta, 'ladder');
        return ladder === null ? undefined : (JSON.parse(ladder) as LadderState);
      },
      async commit(info, lease, { ladder, cues, summary }) {
        const keys = callKeys(info);
        const cueArgs = cues.flatMap((cue) => [cue.seq, JSON.stringify(cue)]);
        await fenced(
          info,
          run(
            'commitTransition',
            [keys.lease, keys.meta, keys.cues, tenantKeys(info.tenant).calls],
            [
              leaseValue(lease),
              callChannels(info),
              options.replayBuffer,
              JSON.stringify(ladder),
              info.callId,
              entryJson(info, summary),
              infoJson(info),
              ...cueArgs,
            ],
          ),
        );
      },
      async restore(info, lease, { epoch, lastSeq }, ladder) {
        const keys = callKeys(info);
        await fenced(
          info,
          run('restoreCall', [keys.lease, keys.meta], [leaseValue(lease), epoch, lastSeq, JSON.stringify(ladder)]),
        );
      },
    },
    transcripts: {
      async append(info, lease, line) {
        const keys = callKeys(info);
        await fenced(
          info,
          run(
            'appendLine',
            [keys.lease, keys.lines],
            [
              leaseValue(lease),
              callChannels(info),
              options.transcriptLines,
              line.isFinal ? line.segmentId : '',
              JSON.stringify(line),
              infoJson(info),
            ],
          ),
        );
      },
      async lines(call) {
        return (await redis.lrange(callKeys(call).lines, 0, -1)).map((line) => JSON.parse(line) as TranscriptEvent);
      },
    },
    claims: {
      async claim(info, claim) {
        const [fresh, standing] = (await run(
          'claimAlert',
          [callKeys(info).claims],
          [claim.seq, JSON.stringify(claim), callChannels(info), infoJson(info)],
        )) as [number, string];
        return { standing: JSON.parse(standing) as AlertClaimed, fresh: fresh === 1 };
      },
      async list(call) {
        const claims = Object.values(await redis.hgetall(callKeys(call).claims)).map(
          (claim) => JSON.parse(claim) as AlertClaimed,
        );
        return claims.sort((a, b) => a.seq - b.seq);
      },
    },
    acks: {
      async post(call, ack) {
        const { lease, acks } = callKeys(call);
        const ref = JSON.stringify({ tenant: call.tenant, callId: call.callId });
        const posted = (await run(
          'postAck',
          [tenantKeys(call.tenant).calls, lease, acks],
          [call.callId, postedAckText(ack), ack.epoch ?? '', INBOX_CHANNEL_PREFIX, ref],
        )) as number | string;
        if (typeof posted === 'string') return { kept: false, liveEpoch: posted };
        return { kept: posted === 1 };
      },
      async take(info, lease) {
        const keys = callKeys(info);
        const taken = run('takeAcks', [keys.lease, keys.acks], [leaseValue(lease)]);
        await fenced(info, taken);
        return ((await taken) as string[]).map(postedAckOf);
      },
    },
    signedWebhooks: {
      async mark(info, lease) {
        const keys = callKeys(info);
        await fenced(info, run('markSignedWebhooksOnly', [keys.lease, keys.meta], [leaseValue(lease)]));
      },
      async marked(call) {
        const keys = [tenantKeys(call.tenant).calls, callKeys(call).meta];
        return (await run('signedWebhooksOnly', keys, [call.callId])) === 1;
      },
    },
    directory: {
      async update(info, lease, summary, event) {
        const keys = [callKeys(info).lease, tenantKeys(info.tenant).calls];
        const args = [
          leaseValue(lease),
          callChannels(info),
          info.callId,
          entryJson(info, summary),
          infoJson(info),
          event ? JSON.stringify(event) : '',
        ];
        await Promise.all([fenced(info, run('updateCall', keys, args)), redis.sadd(TENANTS_KEY, info.tenant)]);
      },
      async announce(info, lease, event) {
        const keys = [callKeys(info).lease, tenantKeys(info.tenant).calls];
        await fenced(
          info,
          run('updateCall', keys, [
            leaseValue(lease),
            callChannels(info),
            info.callId,
            '',
            infoJson(info),
            JSON.stringify(event),
          ]),
        );
      },
      async entry(call) {
        const entry = await redis.hget(tenantKeys(call.tenant).calls, call.callId);
        return entry === null ? undefined : (JSON.parse(entry) as { info: CallInfo; summary: CallSummary });
      },
      async list(tenant) {
        const entries = Object.values(await redis.hgetall(tenantKeys(tenant).calls));
        return entries.map((entry) => JSON.parse(entry) as { info: CallInfo; summary: CallSummary });
      },
      async tenants() {
        return redis.smembers(TENANTS_KEY);
      },
      async ended(call, retention) {
        const { calls, ended } = tenantKeys(call.tenant);
        await redis.zadd(ended, Date.now(), call.callId);
        const excess = (await redis.zcard(ended)) - retention;
        if (excess <= 0) return;
        const forgotten = (await redis.zpopmin(ended, excess)).filter((_, i) => i % 2 === 0);
        await Promise.all(
          forgotten.flatMap((callId) => [
            redis.hdel(calls, callId),
            redis.del(...Object.values(callKeys({ tenant: call.tenant, callId }))),
          ]),
        );
      },
      async reopened(call) {
        const keys = callKeys(call);
        await redis
          .multi()
          .zrem(tenantKeys(call.tenant).ended, call.callId)
          .del(keys.cues, keys.lines, keys.claims, keys.acks)
          .hdel(keys.meta, 'ladder', 'signedWebhooksOnly')
          .hset(keys.meta, 'epoch', newEpoch(), 'lastSeq', 0)
          .exec();
      },
    },
    ready: () => redis.status === 'ready',
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
