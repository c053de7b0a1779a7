/**
 * The unit layer (`npm run test:unit`): test/unit/ needs no Temporal server, PostgreSQL or workflow bundle,
 * so it runs without jest.config.js's global setup, in seconds. `npm test` runs it too, with everything else.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/unit'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 30_000,
  maxWorkers: 2,
};
