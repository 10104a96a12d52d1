import { defineConfig } from 'vitest/config';

// The dashboard tests need no database: `npx vitest run --config tests/dashboard/vitest.config.ts`
// runs them without the warehouse harness. `npm test` runs them too, under the root config.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/dashboard/**/*.test.ts'],
    env: { TZ: 'UTC' },
    pool: 'forks',
    maxWorkers: 1,
  },
});
