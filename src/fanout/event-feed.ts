import type { Redis } from 'ioredis';
import type { Announce, Envelope } from '../state/call-state.js';
import { tenantChannel } from '../state/redis-keys.js';

/**
 * Brings the events of a tenant's calls, wherever they were raised, to this instance's fan-out.
 * In memory the store announces them directly, so there is nothing to listen to.
 */
export interface EventFeed {
  /** Resolves once every event of the tenant published from now on will be delivered. */
  watch(tenant: string): Promise<void>;
  unwatch(tenant: string): void;
  close(): Promise<void>;
}

export const localFeed: EventFeed = {
  watch: async () => undefined,
  unwatch: () => undefined,
  close: async () => undefined,
};

/** What a Pub/Sub connection for `redisFeed` is opened with. */
export const FEED_CONNECTION = { autoResubscribe: false } as const;

/**
 * Subscribes to the Pub/Sub channel of each tenant that has subscribers on this instance, on a
 * connection of its own, opened with FEED_CONNECTION. Pub/Sub does not keep what is published while
 * the connection is down: `onResumed` runs after the connection came back and the channels are
 * subscribed again, so missed cues can be read back from the cue log.
 */
export function redisFeed(redis: Redis, deliver: Announce, onResumed: () => void): EventFeed {
  // ioredis's own resubscription leaves its promise without a handler: a connection that drops
  // again meanwhile raises an unhandled rejection. The feed resubscribes by itself instead.
  if (redis.options.autoResubscribe) throw new Error('redisFeed: open its connection with FEED_CONNECTION');
  /** Per watched tenant: how many watch it, and when its channel was subscribed. */
  const watchers = new Map<string, { count: number; subscribed: Promise<unknown> }>();
  let connectedBefore = false;
  redis.on('message', (_channel: string, message: string) => deliver(JSON.parse(message) as Envelope));
  redis.on('ready', () => {
    if (connectedBefore) {
      const channels = [...watchers.keys()].map(tenantChannel);
      const resubscribed = channels.length > 0 ? redis.subscribe(...channels) : Promise.resolve();
      void resubscribed.then(onResumed, () => undefined);
    }
    connectedBefore = true;
  });
  return {
    async watch(tenant) {
      let watched = watchers.get(tenant);
      if (watched) watched.count++;
      else watchers.set(tenant, (watched = { count: 1, subscribed: redis.subscribe(tenantChannel(tenant)) }));
      await watched.subscribed;
    },
    unwatch(tenant) {
      const watched = watchers.get(tenant);
      if (!watched || --watched.count > 0) return;
      watchers.delete(tenant);
      void redis.unsubscribe(tenantChannel(tenant)).catch(() => undefined);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
