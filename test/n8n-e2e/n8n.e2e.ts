/**
 * End to end in a real n8n (1.123.x, Node 20): our package packed and installed into n8n's
 * community-node folder exactly as its README's "Install from a local build" says (the way n8n
 * installs a community package), the example workflow imported and activated from the CLI, the
 * Trakkr emulator as the provider and a local Slack as the destination.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ProviderEmulator } from '../../packages/relay/src/emulator';
import { startFakeSlack, type FakeSlack } from '../fakes/slack';

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((r) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => r(port));
    });
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string | (() => string)) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let n8nBin: string;
let env: NodeJS.ProcessEnv;
let n8n: ChildProcess | undefined;
let n8nLog = '';
let emulator: ProviderEmulator;
let slack: FakeSlack;
let port: number;
const workflowId = 'HbTrakkrSlack01';

beforeAll(async () => {
  // The one-time install takes minutes: its progress lines go straight to the terminal.
  const install = run(join(__dirname, 'install-n8n.sh'), { maxBuffer: 64 * 1024 * 1024 });
  install.child.stderr!.pipe(process.stderr);
  const dir = (await install).stdout.trim();
  n8nBin = join(dir, 'node_modules/.bin/n8n');
  port = await freePort();
  const user = mkdtempSync(join(tmpdir(), 'hb-n8n-'));
  env = {
    PATH: process.env.PATH,
    HOME: user,
    N8N_USER_FOLDER: user,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    WEBHOOK_URL: `http://127.0.0.1:${port}/`,
    N8N_ENCRYPTION_KEY: 'hookbridge-e2e-encryption-key',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_SECURE_COOKIE: 'false',
    N8N_RUNNERS_ENABLED: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
  };
  // README, "Install from a local build": pack, then install the tarball into n8n's community-node folder.
  const packed = (
    await run('npm', ['pack', '--silent', '--pack-destination', user], { cwd: join(ROOT, 'packages/n8n-nodes-hookbridge') })
  ).stdout
    .trim()
    .split('\n')
    .pop()!;
  const nodesDir = join(user, '.n8n', 'nodes');
  mkdirSync(nodesDir, { recursive: true });
  writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
  await run('npm', ['install', '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund', join(user, packed)], {
    cwd: nodesDir,
    env: { ...process.env, HOME: user },
  });
  process.stderr.write(`n8n e2e: installed ${packed} into ${nodesDir}\n`);

  // The API wants its key in a custom header: proves the credential's auth type reaches the provider through real n8n.
  emulator = new ProviderEmulator({ provider: 'trakkr', apiAuth: { type: 'api_key', header: 'X-Trakkr-Key', value: 'e2e_api_key' } });
  const emulatorUrl = await emulator.listen();
  slack = await startFakeSlack();

  writeFileSync(
    join(user, 'credentials.json'),
    JSON.stringify([
      {
        id: `${workflowId}Cred`,
        name: 'Trakkr account',
        type: 'hookbridgeApi',
        data: { baseUrl: emulatorUrl, authType: 'api_key', headerName: 'X-Trakkr-Key', apiKey: 'e2e_api_key', signingSecrets: '' },
      },
    ]),
  );
  // The example as shipped (node types under the package name, as a community package registers them), with the local Slack.
  const workflow = JSON.parse(readFileSync(join(ROOT, 'examples/n8n/trakkr-to-slack.json'), 'utf8')) as {
    nodes: { type: string; parameters: Record<string, unknown> }[];
  };
  workflow.nodes.find((n) => n.type === 'n8n-nodes-base.httpRequest')!.parameters.url = slack.webhookUrl;
  writeFileSync(join(user, 'workflow.json'), JSON.stringify(workflow));

  await run(n8nBin, ['import:credentials', `--input=${join(user, 'credentials.json')}`], { env });
  await run(n8nBin, ['import:workflow', `--input=${join(user, 'workflow.json')}`], { env });
  await run(n8nBin, ['update:workflow', `--id=${workflowId}`, '--active=true'], { env });

  n8n = spawn(n8nBin, ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  n8n.stdout!.on('data', (c: Buffer) => (n8nLog += c));
  n8n.stderr!.on('data', (c: Buffer) => (n8nLog += c));
  await waitFor(
    () => /Activated workflow/.test(n8nLog) || /Editor is now accessible/.test(n8nLog),
    120_000,
    () => `n8n to start:\n${n8nLog}`,
  );
}, 20 * 60_000);

afterAll(async () => {
  if (n8n && n8n.exitCode === null) {
    n8n.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
    if (n8n.exitCode === null) n8n.kill('SIGKILL');
  }
  await emulator?.close();
  await slack?.close();
});

const hookUrl = () => `http://127.0.0.1:${port}/webhook/hbtrakkrslack01-hook/webhook`;

test('(a) activation from the CLI created the subscription at the provider', async () => {
  await waitFor(() => emulator.subscriptions.length === 1, 30_000, 'the subscription');
  expect(emulator.subscriptions[0]).toMatchObject({
    url: hookUrl(),
    events: ['citation_gained', 'citation_lost'],
    brand_id: '4f7c2a9e-1b3d-4e8f-9a6b-2c5d7e9f1a3b',
  });
  expect(emulator.subscriptions[0]!.signing_secret).toMatch(/^whsec_/);
}, 60_000);

test('(b) a signed emulated event runs the workflow and the formatted message reaches Slack', async () => {
  const [delivery] = await emulator.trigger('citation_gained');
  expect(delivery).toMatchObject({ ok: true, status: 200 });
  await waitFor(() => slack.posted.length === 1, 30_000, 'the Slack message');
  const message = slack.posted[0]!;
  expect(message.text).toBe('Citation Gained · Acme Coffee: Acme Coffee gained a citation from news.example');
  expect(JSON.stringify(message.blocks)).toContain('Citation Gained · Acme Coffee');
}, 60_000);

test('(c) a forged event is refused with 401 and runs nothing', async () => {
  const res = await fetch(hookUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-trakkr-signature': 'sha256=' + '0'.repeat(64) },
    body: JSON.stringify({ event: { type: 'citation_gained', data: {} }, meta: { event_id: 'forged' } }),
  });
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: 'signature_mismatch' });
  await new Promise((r) => setTimeout(r, 2000));
  expect(slack.posted).toHaveLength(1);
}, 60_000);

test('(d) deactivating the workflow removes the subscription', async () => {
  const base = `http://127.0.0.1:${port}`;
  const setup = await fetch(`${base}/rest/owner/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'e2e@hookbridge.dev', firstName: 'E', lastName: 'Two', password: 'Hookbridge-e2e-1' }),
  });
  expect(setup.status).toBe(200);
  const cookie = setup.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(`${base}/rest/workflows/${workflowId}/deactivate`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(200);
  await waitFor(() => emulator.subscriptions.length === 0, 30_000, 'the subscription to be deleted');
}, 60_000);
