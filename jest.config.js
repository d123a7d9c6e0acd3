/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ts-jest with isolatedModules (from tsconfig) only transpiles; `npm test` type-checks with tsc first.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 120000,
};
