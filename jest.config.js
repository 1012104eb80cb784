/**
 * Tests run as native ES modules (the runtime's own module system), transformed by swc.
 * Three projects: `unit` (pure logic, no AWS; test/unit mirrors src/), `deploy` (builds the
 * bundles and packages the stack, offline) and `integration` (against the moto emulator that the
 * integration project's global setup starts once for the whole run).
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } },
    ],
  },
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'deploy',
      testMatch: ['<rootDir>/test/deploy/**/*.test.ts'],
      // esbuild builds every bundle and serverless packages the stack: minutes on a busy machine.
      setupFilesAfterEnv: ['<rootDir>/test/deploy/timeout.ts'],
      slowTestThreshold: 60,
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
      setupFiles: ['<rootDir>/test/support/worker-emulator.mjs'],
      slowTestThreshold: 20,
    },
  ],
  testSequencer: '<rootDir>/test/support/long-files-first.mjs',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
  // With --coverage (`npm run test:coverage`): V8's precise coverage slows every test file, more
  // the longer a worker has run, so `npm test` goes without it (README, Development).
  coverageProvider: 'v8',
  collectCoverageFrom: ['src/**/*.ts', 'api/**/*.ts', 'workers/**/*.ts'],
  coverageReporters: ['text-summary', ['json-summary', { file: 'coverage-summary.json' }]],
  coverageDirectory: '.local/coverage',
};
