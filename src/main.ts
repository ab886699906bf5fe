import { loadClassifier } from './classifier/index.js';
import { loadConfig } from './config.js';
import { createMetrics } from './metrics.js';
import { buildServer } from './server.js';
import { settingError } from './setting-problem.js';
import { startupSummary } from './startup-summary.js';

/** Startup problems (bad settings, a missing model, an unreadable policy or token file, a port in use) end the process with one clear line. */
function fail(error: unknown): never {
  console.error(`call-guard could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    fail(error);
  }
})();

const metrics = createMetrics();
const classifier = await loadClassifier({ ...config, onBatch: (info) => metrics.observeBatch(info) }).catch(
  (error: unknown) =>
    fail(settingError(config, 'modelDir', 'a folder holding the model (model.onnx, vocab.json, …)', error)),
);
const app = await buildServer({ config, classifier, metrics }).catch(fail);

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
// Every async path catches its own failures; should one slip through (a bug), it is logged and
// counted rather than taking every tenant's calls down with the process.
process.on('unhandledRejection', (reason) => {
  app.log.error({ err: reason }, 'unhandled promise rejection: a bug, logged and counted; the service goes on');
  metrics.internalErrors.inc({ where: 'unhandled-rejection' });
});
// Kept for the whole drain: Ctrl-C under `npm start` delivers SIGINT twice (the terminal's and npm's
// forward), and a signal with no listener left would end the process mid-drain.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

// A port in use or a host that does not resolve is a startup problem too.
await app.listen({ port: config.port, host: config.host }).catch(async (error: unknown) => {
  await classifier.close();
  const code = (error as NodeJS.ErrnoException).code ?? '';
  fail(
    ['EADDRINUSE', 'EACCES'].includes(code)
      ? settingError(config, 'port', 'a port free on HOST that this user may open', error)
      : settingError(config, 'host', 'an address of this machine, or a name that resolves to one', error),
  );
});
app.log.info(startupSummary(config), 'serving');
