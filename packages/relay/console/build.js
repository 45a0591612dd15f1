// Builds the console into ../console-dist: one bundled script, one stylesheet, index.html. No CDN.
const { build } = require('esbuild');
const { cpSync, mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const out = join(__dirname, '../console-dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
build({
  entryPoints: { app: join(__dirname, 'src/main.tsx') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.css': 'css' },
  legalComments: 'none',
  logLevel: 'warning',
})
  .then(() => cpSync(join(__dirname, 'src/index.html'), join(out, 'index.html')))
  .catch(() => process.exit(1));
