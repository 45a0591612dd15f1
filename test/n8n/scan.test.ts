import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const scan = resolve(__dirname, '../../packages/n8n-nodes-hookbridge/scan.mjs');

// n8n's verification gate (`@n8n/scan-community-package`'s analyzePackage) on the packed
// package and on the node sources: only a package that passes can be verified and run on n8n Cloud.
test("the packed n8n package passes n8n's community-package scan with no error", async () => {
  // Not under Jest's NODE_ENV=test: eslint-plugin-n8n-nodes-base swaps real file names for test fixtures when it is set.
  const env = { ...process.env, NODE_ENV: 'production' };
  const { stdout } = await run(process.execPath, [scan], { env, maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout?: string }) => {
    throw new Error(`scan failed:\n${error.stdout ?? String(error)}`);
  });
  expect(stdout).toContain('passed: packed package (dist)');
  expect(stdout).toContain('passed: sources');
}, 120_000);
