import { defineConfig } from 'vitest/config';

// On Node 20 the AWS SDK prints a 9-line NodeVersionSupportWarning once per process: once per test
// worker and child process, a wall of 17 in one run. The SDK's own switch silences exactly that
// warning (see bin/quiet-sdk-warning.ts); set here, it reaches the workers and what they spawn.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // DynamoDB Local (one JVM, in memory) is started once for the whole run; every test file
    // creates its own table (or tenant), so files stay isolated while sharing the engine.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
