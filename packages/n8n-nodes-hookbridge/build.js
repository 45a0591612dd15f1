// Bundles each node and credential with the pure entries of the Hookbridge packages
// (`@hookbridge/core/pure`, `@hookbridge/slack/pure`, …: no Node modules, timers or code
// generation) into dist/, so the package installs with nothing but n8n-workflow and passes
// n8n's community-package scan (`node scan.mjs`).
const { build } = require('esbuild');
const { cpSync, rmSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = __dirname;
const entries = {
  'nodes/HookbridgeTrigger/HookbridgeTrigger.node': 'nodes/HookbridgeTrigger/HookbridgeTrigger.node.ts',
  'nodes/Hookbridge/Hookbridge.node': 'nodes/Hookbridge/Hookbridge.node.ts',
  'credentials/HookbridgeApi.credentials': 'credentials/HookbridgeApi.credentials.ts',
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
build({
  entryPoints: Object.fromEntries(Object.entries(entries).map(([out, src]) => [out, join(root, src)])),
  outdir: join(root, 'dist'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['n8n-workflow'],
  legalComments: 'none',
  logLevel: 'warning',
})
  .then(() => {
    for (const dir of ['nodes/HookbridgeTrigger', 'nodes/Hookbridge']) {
      mkdirSync(join(root, 'dist', dir), { recursive: true });
      cpSync(join(root, dir), join(root, 'dist', dir), { recursive: true, filter: (f) => !f.endsWith('.ts') });
    }
  })
  .catch(() => process.exit(1));
