// Jest globalSetup: every temporary folder a test run makes (test files, relay processes, PostgreSQL servers,
// browsers) goes under one folder of its own, which globalTeardown removes — a run leaves nothing in /tmp.
const { chmodSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const root = mkdtempSync(join(tmpdir(), 'hookbridge-test-'));
  // As /tmp: PostgreSQL runs as a user of its own when the tests run as root, and must reach its folder.
  chmodSync(root, 0o1777);
  process.env.HOOKBRIDGE_TEST_TMP = root;
  process.env.TMPDIR = root; // os.tmpdir() in this process, Jest's workers and every child they start
};
