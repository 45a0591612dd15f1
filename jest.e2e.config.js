/** The real-n8n end-to-end test: slow (installs n8n once into a cache), so it has its own script. */
/** @type {import('jest').Config} */
module.exports = {
  ...require('./jest.config.js'),
  roots: ['<rootDir>/test/n8n-e2e'],
  testMatch: ['**/*.e2e.ts'],
  testTimeout: 120000,
};
