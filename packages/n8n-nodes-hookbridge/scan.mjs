// n8n's verification gate, run here as n8n runs it (`@n8n/scan-community-package`): the packed
// tarball's compiled JavaScript and package.json, and the node/credential sources. Exit 1 on any error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'hb-n8n-scan-'));
try {
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  const unpacked = join(work, 'package');
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
  const dist = await analyzePackage(unpacked, ['**/*.js', 'package.json']);
  const source = await analyzePackage(root, SOURCE_FILE_PATTERNS);
  for (const [name, result] of [
    ['packed package (dist)', dist],
    ['sources', source],
  ]) {
    console.log(`${result.passed ? 'passed' : 'FAILED'}: ${name}${result.message ? ` — ${result.message}` : ''}`);
    if (result.details) console.log(result.details);
  }
  process.exitCode = dist.passed && source.passed ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
