import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: the built dashboard and the real server in Chromium. The root config
// excludes tests/e2e/**, so `npm test` never needs a browser.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/e2e/**/*.e2e.test.ts'],
    globalSetup: ['tests/e2e/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One browser at a time: two cores are shared by Chromium, the server and PostgreSQL.
    fileParallelism: false,
    maxWorkers: 1,
    env: { TZ: 'UTC' },
  },
});
