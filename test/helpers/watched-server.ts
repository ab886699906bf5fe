import { afterAll, beforeAll } from 'vitest';
import { subscribe } from './calls.js';
import { startServer, TOKENS, type TestServer } from './server.js';
import { TestClient } from './ws-client.js';

export interface WatchedServer {
  server: TestServer;
  /** A supervisor subscribed to every call of the tenant, transcripts included. */
  ui: TestClient;
}

/**
 * Starts the real server and its watching supervisor before the file's tests and closes both after;
 * the fields are set by the time a test runs.
 */
export function watchedServer(): WatchedServer {
  const watched = {} as WatchedServer;
  beforeAll(async () => {
    watched.server = await startServer();
    watched.ui = await TestClient.connect(`${watched.server.ws}/v1/subscribe`, TOKENS.supervisor);
    await subscribe(watched.ui, { tenant: true }, { transcript: true });
  });
  afterAll(async () => {
    watched.ui.close();
    await watched.server.close();
  });
  return watched;
}
