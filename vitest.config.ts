import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One graphql instance, as under Node: Vite would pick graphql's ESM build
    // while Apollo's CommonJS packages require the CJS one ("another realm").
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    // A mall scaffolded by `gatehouse mall new` brings its own test on a saved page.
    include: ['tests/**/*.test.ts', 'subgraphs/malls/*/*.test.ts'],
    globalSetup: ['tests/support/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start their own processes; running them one file at a
    // time keeps a 2-core machine from timing out under its own load.
    fileParallelism: false,
  },
});
