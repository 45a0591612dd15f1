/** One Jest run over every package; sources are mapped so tests need no build. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test', '<rootDir>/examples'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.cache/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  moduleNameMapper: {
    '^@hookbridge/(core|slack|discord|teams|relay)$': '<rootDir>/packages/$1/src',
    '^@hookbridge/(core|slack|discord|teams)/pure$': '<rootDir>/packages/$1/src/pure',
  },
  testTimeout: 20000,
  // Every temporary folder of a run under one, removed at its end (test/support/temp-root-setup.js).
  globalSetup: '<rootDir>/test/support/temp-root-setup.js',
  globalTeardown: '<rootDir>/test/support/temp-root-teardown.js',
};
