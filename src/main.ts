import { loadClassifier } from './classifier/index.js';
import { ConfigError, loadConfig } from './config.js';
import { createMetrics } from './metrics.js';
import { buildServer } from './server.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`configuration error: ${error.message}`);
  process.exit(2);
}

const metrics = createMetrics();
const classifier = await loadClassifier({
  modelDir: config.modelDir,
  maxBatch: config.batchMaxSize,
  maxWaitMs: config.batchMaxWaitMs,
  maxQueue: config.queueMax,
  onBatch: (info) => metrics.observeBatch(info),
});
const app = await buildServer({ config, classifier, metrics });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down: draining calls, then closing sockets');
  try {
    await app.close();
    await classifier.close();
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'unclean shutdown');
    process.exit(1);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ port: config.port, host: config.host });
