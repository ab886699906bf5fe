import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { FEED_CONNECTION, redisFeed } from '../../src/fanout/event-feed.js';

/** A Pub/Sub connection whose SUBSCRIBE fails while `down`, as ioredis's does once its retries run out. */
function pubSubConnection() {
  const subscribed: string[] = [];
  const connection = Object.assign(new EventEmitter(), {
    options: { ...FEED_CONNECTION },
    down: false,
    async subscribe(...channels: string[]) {
      if (connection.down) throw new Error('Reached the max retries per request limit');
      subscribed.push(...channels);
    },
    async unsubscribe() {},
  });
  return { connection, subscribed, redis: connection as unknown as Redis };
}

describe('the Redis event feed', () => {
  it('tries a SUBSCRIBE again on the next watch after one failed, for that channel and no other', async () => {
    const { connection, subscribed, redis } = pubSubConnection();
    const feed = redisFeed(
      redis,
      () => undefined,
      () => undefined,
    );
    await feed.watch('acme', { agentId: 'a1' });
    connection.down = true;
    await expect(feed.watch('acme', { teamId: 't1' })).rejects.toThrow(/max retries/);
    connection.down = false;
    await feed.watch('acme', { teamId: 't1' });
    await feed.watch('acme', { agentId: 'a1' });
    expect(subscribed).toHaveLength(2);
    expect(subscribed[1]).toContain('t1');
  });
});
