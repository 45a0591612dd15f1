/** The README's first command, as a newcomer runs it: the example config with --demo. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tempDir } from './test-support';

test('`hookbridge serve --config examples/relay/hookbridge.yaml --demo` verifies, routes and prints all four providers', async () => {
  const root = resolve(__dirname, '../../..');
  const child = spawn(
    process.execPath,
    [
      join(root, 'packages/relay/bin/hookbridge.js'),
      'serve',
      '--config',
      join(root, 'examples/relay/hookbridge.yaml'),
      '--port',
      '0',
      '--storage',
      join(tempDir('hb-example-'), 'demo.db'),
      '--demo',
    ],
    { env: { ...process.env, HOOKBRIDGE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  child.stderr.on('data', (c: Buffer) => (out += c));
  const done = () =>
    ['[slack]', '[discord]', '[teams]', '[json]'].every((tag) => out.includes(tag)) && (out.match(/^demo: .* → 202 /gm) ?? []).length === 4;
  const end = Date.now() + 20_000;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  expect(out).toMatch(/Hookbridge relay on http:\/\/127\.0\.0\.1:\d+/);
  expect(out).toContain('npx hookbridge send --config examples/relay/hookbridge.yaml --source trackscore');
  expect(out.match(/^demo: .* → 202 /gm)).toHaveLength(4);
  expect(out).toContain('"text": "Score Updated · pt_555666777: pt_555666777 scored 850 → 950 (rank 5 → 3)"');
  expect(out).toContain('"title": "Visibility Changed · Acme Coffee"');
  expect(out).toContain('"contentType": "application/vnd.microsoft.card.adaptive"');
  expect(out).toContain('"type": "desktop.screenshot_tracking.captured"');
  expect(out).not.toContain('example-secret');
  expect(child.exitCode).toBe(0);
}, 30_000);
