import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { CHROMIUM_PATH, hasChromium, launchChromium } from '../browser/chromium.js';
import { startServer, TOKENS, type TestServer } from './server.js';
import { TestClient } from './ws-client.js';

/** Where the browser tests leave their screenshots. */
export const ARTIFACTS = 'test-results';

export interface ConsoleBrowser {
  /** The test server the block shares, and an ingest connection to it: there once the block's setup ran. */
  readonly server: TestServer;
  readonly producer: TestClient;
  /** Opens the console with `query` on `on` (the shared server unless given); `beforeOpen` runs before it loads. */
  open(query: string, on?: TestServer, beforeOpen?: (page: Page) => Promise<void>): Promise<Page>;
  /**
   * A describe block run in Debian's Chromium (skipped, with a warning, where it is missing): before its
   * tests the console is bundled and the server, the ingest connection and Chromium start; each test's
   * pages are closed after it.
   */
  describe(title: string, tests: () => void): void;
}

export function consoleBrowser(): ConsoleBrowser {
  let server: TestServer;
  let producer: TestClient;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  const pages: Page[] = [];
  return {
    get server() {
      return server;
    },
    get producer() {
      return producer;
    },
    async open(query, on = server, beforeOpen) {
      const page = await chromium.context.newPage();
      pages.push(page);
      page.setDefaultTimeout(10_000);
      await beforeOpen?.(page);
      await page.goto(`${on.http}/console?${query}`);
      return page;
    },
    describe(title, tests) {
      if (!hasChromium)
        console.warn(
          `test/browser skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; CI installs it)`,
        );
      describe.skipIf(!hasChromium)(title, () => {
        beforeAll(async () => {
          // Bundle the page from the current source, so the test never drives a stale build.
          execFileSync('npm', ['run', '--silent', 'build:console'], { stdio: 'pipe' });
          mkdirSync(ARTIFACTS, { recursive: true });
          server = await startServer();
          producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
          chromium = await launchChromium();
        });

        afterEach(async () => {
          for (const page of pages.splice(0)) await page.close();
        });

        afterAll(async () => {
          await chromium?.close();
          producer?.close();
          await server?.close();
        });

        tests();
      });
    },
  };
}
