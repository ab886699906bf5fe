import { afterAll, beforeAll, describe, it } from 'vitest';
import { REDIS_MISSING, startRedis, type TestRedis } from './redis.js';

/**
 * Declares `tests` on a throwaway Redis, started before them and stopped after (`redis()` is there
 * once they run). Where redis-server is missing, `title` shows one skipped test saying why instead.
 */
export function onRedis(title: string, tests: (redis: () => TestRedis) => void): void {
  if (REDIS_MISSING) {
    describe(title, () => it.skip(`skipped: ${REDIS_MISSING}`, () => undefined));
    return;
  }
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());
  tests(() => redis);
}
