import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A hang guard, not a speed check: on two cores the browser, build and Docker tests share the
    // machine with every other file, and a test that needs 5 s alone has needed over 30 s there.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
