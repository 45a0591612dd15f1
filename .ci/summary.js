// Prints Jest's totals as the plain closing line CI looks for: "N passed, N failed".
const fs = require('node:fs');
const file = process.argv[2];
if (!fs.existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no Jest results at ${file}: the test run did not finish`);
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
const failedSuites = r.numFailedTestSuites + (r.numRuntimeErrorTestSuites ?? 0);
if (failedSuites && !r.numFailedTests) console.error(`${failedSuites} test suite(s) failed to run`);
console.log(
  `${r.numPassedTests} passed, ${r.numFailedTests + (r.numFailedTests ? 0 : failedSuites)} failed${skipped ? `, ${skipped} skipped` : ''}`,
);
