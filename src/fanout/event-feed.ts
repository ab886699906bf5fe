import type { Redis } from 'ioredis';
import type { SubscriptionScope } from '../protocol/subscribe-messages.js';
import type { Announce, CallRef, Envelope } from '../state/call-state.js';
import { channelOrder, scopeChannel } from '../state/redis-keys.js';

/**
 * Brings the events of the calls in a scope, wherever they were raised, to this instance's fan-out.
 * In memory the store announces them directly, so there is nothing to listen to.
 */
export interface EventFeed {
  /** Resolves once every event of the scope's calls published from now on will be delivered. */
  watch(tenant: string, scope: SubscriptionScope): Promise<void>;
  unwatch(tenant: string, scope: SubscriptionScope): void;
  close(): Promise<void>;
}

export const localFeed: EventFeed = {
  watch: async () => undefined,
  unwatch: () => undefined,
  close: async () => undefined,
};

/** What a Pub/Sub connection for `redisFeed` is opened with. */
export const FEED_CONNECTION = { autoResubscribe: false } as const;

/** This instance's inbox channel (redis-keys inboxChannel), and who hears of the acks waiting for its calls. */
export interface AckInboxFeed {
  channel: string;
  posted: (call: CallRef) => void;
}

/**
 * Subscribes to the Pub/Sub channel of each scope that has subscribers on this instance, on a
 * connection of its own, opened with FEED_CONNECTION, so that an instance only hears the events
 * of calls its subscribers cover. Pub/Sub does not keep what is published while the connection is
 * down: `onResumed` runs after the connection came back and the channels are subscribed again,
 * so missed cues can be read back from the cue log.
 *
 * An event comes once per channel of this instance that covers its call, the copies adjacent and
 * in publishing order (redis-scripts): a message equal to the one before it, on a channel later
 * in that order, is a copy and is dropped. At worst (the channels changed between two equal
 * events) a repeat is dropped that would have told the subscriber nothing new.
 *
 * With `inbox`, the connection also listens on the instance's own inbox channel for as long as it
 * is open: acks posted on other instances for calls this one drives.
 */
export function redisFeed(redis: Redis, deliver: Announce, onResumed: () => void, inbox?: AckInboxFeed): EventFeed {
  // ioredis's own resubscription leaves its promise without a handler: a connection that drops
  // again meanwhile raises an unhandled rejection. The feed resubscribes by itself instead.
  if (redis.options.autoResubscribe) throw new Error('redisFeed: open its connection with FEED_CONNECTION');
  /** Per watched channel: how many watch it, and when it was subscribed. */
  const watchers = new Map<string, { count: number; subscribed: Promise<unknown> }>();
  let previous = { message: '', order: -1 };
  let connectedBefore = false;
  if (inbox) void redis.subscribe(inbox.channel).catch(() => undefined); // subscribed again on every reconnection
  redis.on('message', (channel: string, message: string) => {
    if (channel === inbox?.channel) return inbox.posted(JSON.parse(message) as CallRef);
    const order = channelOrder(channel);
    const copy = message === previous.message && order > previous.order;
    previous = { message, order };
    if (!copy) deliver(JSON.parse(message) as Envelope);
  });
  redis.on('ready', () => {
    if (connectedBefore) {
      const channels = [...(inbox ? [inbox.channel] : []), ...watchers.keys()];
      const resubscribed = channels.length > 0 ? redis.subscribe(...channels) : Promise.resolve();
      void resubscribed.then(onResumed, () => undefined);
    }
    connectedBefore = true;
  });
  return {
    async watch(tenant, scope) {
      const channel = scopeChannel(tenant, scope);
      let watched = watchers.get(channel);
      if (watched) watched.count++;
      else {
        const entry = { count: 1, subscribed: redis.subscribe(channel) };
        watchers.set(channel, (watched = entry));
        // A failed SUBSCRIBE is forgotten, so that the next watch of the channel tries again.
        entry.subscribed.catch(() => {
          if (watchers.get(channel) === entry) watchers.delete(channel);
        });
      }
      await watched.subscribed;
    },
    unwatch(tenant, scope) {
      const channel = scopeChannel(tenant, scope);
      const watched = watchers.get(channel);
      if (!watched || --watched.count > 0) return;
      watchers.delete(channel);
      void redis.unsubscribe(channel).catch(() => undefined);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
