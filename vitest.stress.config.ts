import { defineConfig } from 'vitest/config';

/** `npm run test:stress`: kill -9 tests and a bounded soak; slower than `npm test`, also run by CI. */
export default defineConfig({
  test: {
    name: 'stress',
    include: ['stress/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
