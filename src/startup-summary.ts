import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config-type.js';
import { sqliteFile } from './record/incident-record.js';

/**
 * The round the model card names first ("**Round 14**"): which model this is, for the price of
 * reading one small file (hashing model.onnx took 40-160 ms on the build machine).
 */
function modelRound(modelDir: string): number | undefined {
  try {
    const round = /\*\*Round (\d+)\*\*/.exec(readFileSync(join(modelDir, 'MODEL_CARD.md'), 'utf8'));
    return round ? Number(round[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A server's host, port and database, without the credentials its URL may carry. */
const serverOf = (url: string): string => {
  const { host, pathname } = new URL(url);
  return pathname === '/' ? host : `${host}${pathname}`;
};

/** What this start serves, as the one info line main.ts logs: never a credential. */
export function startupSummary(config: Config) {
  return {
    model: config.modelDir,
    modelRound: modelRound(config.modelDir),
    policy: config.policyFile ?? 'built-in',
    inferenceThread: config.inferenceThread,
    state: config.redisUrl === undefined ? 'memory' : `redis ${serverOf(config.redisUrl)}`,
    record:
      config.record === 'off'
        ? 'off'
        : config.databaseUrl === undefined
          ? `sqlite ${sqliteFile(config.dataDir)}`
          : `postgres ${serverOf(config.databaseUrl)}`,
  };
}
