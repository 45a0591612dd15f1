// Jest globalTeardown: removes the run's temporary folder (see temp-root-setup.js).
const { rmSync } = require('node:fs');

module.exports = async () => {
  const root = process.env.HOOKBRIDGE_TEST_TMP;
  if (root) rmSync(root, { recursive: true, force: true });
};
