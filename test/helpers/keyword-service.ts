import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { KeywordClassifier } from './keyword-classifier.js';

// The service as a process of its own, configured from the environment like src/main.ts, with the
// keyword classifier instead of the model: for tests that kill it (kill -9).
const config = loadConfig();
const app = await buildServer({ config, classifier: new KeywordClassifier() });
await app.listen({ port: config.port, host: config.host });
