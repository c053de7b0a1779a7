/**
 * The fast unit layer alone: no Temporal, no servers, no global setup. StrykerJS runs it for every mutant
 * (`npm run test:mutation`, stryker.config.json).
 */
const UNIT_TESTS = [
  'answers',
  'config',
  'config-rules',
  'contract',
  'contract-rules',
  'elements',
  'signature',
  'workflow-parts',
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: UNIT_TESTS.map((name) => `<rootDir>/test/${name}.test.ts`),
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
};
