/** Two projects: `unit` needs nothing running; `integration` shares one Temporal dev server
 * and one PostgreSQL per run (started by test/helpers/globalSetup.ts). */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  // per-project testTimeout is ignored by jest; integration tests wait on real servers
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
      globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
    },
  ],
};
