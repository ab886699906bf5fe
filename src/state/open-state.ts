import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { Redis, type RedisOptions } from 'ioredis';
import type { Metrics } from '../metrics.js';
import { FEED_CONNECTION, localFeed, redisFeed } from '../fanout/event-feed.js';
import type { CallInfo, CallRef, HubObserver } from './call-state.js';
import { timeCueAppends } from './cue-append-timing.js';
import { memoryCallStore } from './memory-store.js';
import { inboxChannel } from './redis-keys.js';
import { redisCallStore } from './redis-store.js';
import { SharedHub } from './shared-hub.js';

export interface SharedStateSettings {
  /** Unset: memory, one instance. */
  redisUrl?: string;
  /** Cues kept per call for subscribers that reconnect. */
  cueReplayBuffer: number;
  /** Final lines kept per call for transcript subscribers that join or reconnect mid-call. */
  transcriptReplayLines: number;
  /** Ended calls per tenant whose cues stay available for replay. */
  endedCallRetention: number;
  /** How long an instance's lease on a call lasts unless renewed. */
  callLeaseTtlMs: number;
  observe?: HubObserver;
  onLost?: (info: CallInfo) => void;
  /** With Redis: a live call whose instance died and whose producer did not come back (see SharedHub). */
  onOrphan?: (info: CallInfo, signedWebhooksOnly: boolean) => void;
  /** Acks posted on another instance wait for a call this one drives (see SharedHub). */
  onAcks?: (call: CallRef) => void;
}

export const sharedStateDefaults = {
  cueReplayBuffer: 256,
  transcriptReplayLines: 50,
  endedCallRetention: 1000,
  callLeaseTtlMs: 10_000,
} satisfies Partial<SharedStateSettings>;

export interface SharedState {
  hub: SharedHub;
  /** False while Redis is unreachable (/readyz answers 503 then). */
  ready(): boolean;
  close(): Promise<void>;
}

/** This process, as it names itself in the call leases it holds. */
const instanceName = (): string => `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;

/** The hub over memory (REDIS_URL unset: the service as it always ran) or over Redis (any number of instances). */
export function openSharedState(settings: SharedStateSettings, log: FastifyBaseLogger, metrics: Metrics): SharedState {
  const {
    redisUrl,
    cueReplayBuffer: replayBuffer,
    transcriptReplayLines: transcriptLines,
    endedCallRetention,
    callLeaseTtlMs: leaseTtlMs,
    observe,
    onLost,
    onOrphan,
    onAcks,
  } = settings;
  const onError = (error: unknown): void =>
    log.warn(
      { err: error },
      'cues missed while Redis was unreachable could not be read back yet; the next cue tries again',
    );
  const holder = instanceName();
  const common = {
    holder,
    leaseTtlMs,
    endedCallRetention,
    onError,
    metrics,
    ...(observe ? { observe } : {}),
    ...(onLost ? { onLost } : {}),
    ...(onAcks ? { onAcks } : {}),
  };
  if (redisUrl === undefined) {
    const store = memoryCallStore({
      replayBuffer,
      transcriptLines,
      announce: (envelope) => hub.deliver(envelope),
      acksPosted: (call) => hub.acksPosted(call),
    });
    const hub: SharedHub = new SharedHub({ ...common, store, feed: localFeed });
    return { hub, ready: () => true, close: async () => hub.close() };
  }
  const connect = (role: string, options: RedisOptions = {}): Redis => {
    const redis = new Redis(redisUrl, { connectionName: `call-guard-${role}`, ...options });
    let down = false;
    let readyBefore = false;
    redis.on('error', (error: Error) => {
      metrics.redisConnectionErrors.inc({ connection: role });
      if (!down)
        log.warn({ err: error, role }, 'Redis unreachable; retrying (the service reports not ready meanwhile)');
      down = true;
    });
    redis.on('ready', () => {
      if (readyBefore) metrics.redisReconnects.inc({ connection: role });
      if (down) log.info({ role }, 'Redis reachable again');
      down = false;
      readyBefore = true;
    });
    return redis;
  };
  const commands = connect('store');
  const events = connect('events', FEED_CONNECTION);
  const store = timeCueAppends(redisCallStore(commands, { replayBuffer, transcriptLines }), metrics.redisCueAppend);
  const feed = redisFeed(
    events,
    (envelope) => hub.deliver(envelope),
    () => void hub.catchUp(),
    { channel: inboxChannel(holder), posted: (call) => hub.acksPosted(call) },
  );
  const hub: SharedHub = new SharedHub({ ...common, store, feed, ...(onOrphan ? { onOrphan } : {}) });
  return {
    hub,
    ready: () => commands.status === 'ready' && events.status === 'ready',
    async close() {
      hub.close();
      await hub.releaseLeases();
      await Promise.all([store.close(), feed.close()]);
    },
  };
}
