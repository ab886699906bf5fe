import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startupSummary } from '../../src/startup-summary.js';

describe('the start-up line', () => {
  it('names the model and its round, the policy, the inference thread, the state and the record', () => {
    expect(startupSummary(loadConfig({}))).toEqual({
      model: 'models/use-lite-abuse',
      modelRound: expect.any(Number),
      policy: 'built-in',
      inferenceThread: 'main',
      state: 'memory',
      record: 'sqlite data/call-guard.db',
    });
    expect(startupSummary(loadConfig({ RECORD: 'off', POLICY_FILE: 'policy.json' }))).toMatchObject({
      policy: 'policy.json',
      record: 'off',
    });
  });

  it('names the Redis and PostgreSQL servers without their credentials', () => {
    const summary = startupSummary(
      loadConfig({
        REDIS_URL: 'rediss://default:redis-secret@redis.internal:6380/2',
        DATABASE_URL: 'postgres://guard:pg-secret@db.internal:5432/callguard',
      }),
    );
    expect(summary).toMatchObject({
      state: 'redis redis.internal:6380/2',
      record: 'postgres db.internal:5432/callguard',
    });
    expect(JSON.stringify(summary)).not.toMatch(/secret|guard:|default:/);
  });

  it('leaves the round out when the model folder has no card naming one', () => {
    expect(startupSummary(loadConfig({ MODEL_DIR: '/nonexistent' })).modelRound).toBeUndefined();
  });
});
