/**
 * "Deploying the relay" (docs/deploying.md), run for real: the systemd unit's ExecStart with its
 * environment (Environment= and the EnvironmentFile), the production hookbridge.yaml, and a real
 * nginx (Debian's package; .ci/run installs it) with a self-signed certificate in front, from
 * docs/deploy/. Only paths are mapped: /opt/hookbridge → this checkout, /etc/hookbridge and
 * /var/lib/hookbridge → a temporary folder, the listen address and ports → free ones on loopback.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { signedRequest, tempDir } from '../../packages/relay/src/test-support';

const ROOT = resolve(__dirname, '../..');
const DEPLOY = join(ROOT, 'docs/deploy');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync);
if (!NGINX) throw new Error('nginx is required (apt-get install -y nginx; .ci/run installs it)');

function freePort(): Promise<number> {
  return new Promise((r) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => r(port));
    });
  });
}

/** The unit's [Service] settings: every Environment=, the EnvironmentFile, WorkingDirectory and ExecStart. */
function readUnit(text: string) {
  const lines = text.split('\n').filter((l) => /^\w+=/.test(l));
  const values = (key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  return {
    environment: Object.fromEntries(values('Environment').map((v) => v.split(/=(.*)/s).slice(0, 2) as [string, string])),
    environmentFile: values('EnvironmentFile')[0]!,
    workingDirectory: values('WorkingDirectory')[0]!,
    execStart: values('ExecStart')[0]!.split(/\s+/),
  };
}

/** KEY=value lines, as systemd reads an EnvironmentFile. */
function readEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
      .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

let dir: string;
let map: (text: string) => string;
let relay: ChildProcess;
let relayLog = '';
let nginx: ChildProcess;
let nginxLog = '';
let httpsPort: number;
let relayPort: number;
let cert: string;
const secrets = { HOOKBRIDGE_ADMIN_TOKEN: 'deploy-test-admin-token-0123456789', TRACKSCORE_SECRET: 'deploy-test-trackscore-secret' };

/** One request; resolves with the status. `tls` goes to nginx over HTTPS, otherwise straight to the relay. */
function call(options: {
  tls: boolean;
  path: string;
  from?: string;
  headers?: Record<string, string | number>;
  body?: Buffer;
}): Promise<number> {
  const target = options.tls ? { port: httpsPort, ca: cert, servername: 'hooks.example.com' } : { port: relayPort };
  const send = options.tls ? request : httpRequest;
  return new Promise((resolvePromise, reject) => {
    send(
      {
        host: '127.0.0.1',
        ...target,
        path: options.path,
        method: options.body ? 'POST' : 'GET',
        headers: options.headers,
        localAddress: options.from,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolvePromise(res.statusCode!));
      },
    )
      .on('error', reject)
      .end(options.body);
  });
}

/** A signed TrackScore event from `from` (a loopback address), optionally claiming another origin in X-Forwarded-For. */
function signedCall(tls: boolean, from: string, forwardedFor?: string, path = '/hooks/trackscore'): Promise<number> {
  const req = signedRequest('trackscore', secrets.TRACKSCORE_SECRET, 'score.updated');
  const headers: Record<string, string | number> = { ...req.headers, 'content-length': req.body.length };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  return call({ tls, path, from, headers, body: req.body });
}

/** Through nginx over HTTPS. */
const viaNginx = (from: string, forwardedFor?: string) => signedCall(true, from, forwardedFor);
/** Straight to the relay (bypassing nginx), as an attacker on the host's network would try. */
const direct = (from: string, forwardedFor: string) => signedCall(false, from, forwardedFor);

async function waitFor(check: () => Promise<boolean> | boolean, what: () => string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = tempDir('hb-deploy-');
  for (const sub of ['etc', 'var', 'nginx/logs', 'nginx/tmp', 'tls']) mkdirSync(join(dir, sub), { recursive: true });
  relayPort = await freePort();
  httpsPort = await freePort();
  map = (text) =>
    text
      .replaceAll('/opt/hookbridge', ROOT)
      .replaceAll('/etc/hookbridge', join(dir, 'etc'))
      .replaceAll('/var/lib/hookbridge', join(dir, 'var'))
      .replaceAll('/usr/bin/node', process.execPath)
      .replaceAll('127.0.0.1:8787', `127.0.0.1:${relayPort}`)
      .replace('port: 8787', `port: ${relayPort}`);

  // The production configuration, with the allow-list set to the one client address the test calls "the provider".
  const config = map(readFileSync(join(DEPLOY, 'hookbridge.yaml'), 'utf8')).replace(
    'allowIps: [203.0.113.0/24]',
    'allowIps: [127.0.0.5/32]',
  );
  // A control source, the same but trusting no proxy: behind nginx it only ever sees nginx's address.
  writeFileSync(
    join(dir, 'etc/hookbridge.yaml'),
    config.replace(
      'routes:',
      "  - { id: untrusted, provider: trackscore, secrets: ['${TRACKSCORE_SECRET}'], allowIps: [127.0.0.5/32] }\n\nroutes:",
    ),
  );
  // The EnvironmentFile: the example's keys, with this test's values.
  const example = readEnvFile(readFileSync(join(DEPLOY, 'hookbridge.env.example'), 'utf8'));
  expect(Object.keys(example).sort()).toEqual(['HOOKBRIDGE_ADMIN_TOKEN', 'SLACK_WEBHOOK_URL', 'TRACKSCORE_SECRET']);
  const values = { ...example, ...secrets };
  const unit = readUnit(map(readFileSync(join(DEPLOY, 'hookbridge.service'), 'utf8')));
  writeFileSync(
    unit.environmentFile,
    Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );

  // The unit's ExecStart, environment and working directory, as systemd would run them.
  const env = { PATH: process.env.PATH, ...readEnvFile(readFileSync(unit.environmentFile, 'utf8')), ...unit.environment };
  relay = spawn(unit.execStart[0]!, unit.execStart.slice(1), { cwd: unit.workingDirectory, env, stdio: ['ignore', 'pipe', 'pipe'] });
  relay.stdout!.on('data', (c: Buffer) => (relayLog += c));
  relay.stderr!.on('data', (c: Buffer) => (relayLog += c));
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${relayPort}/readyz`)).ok,
    () => `the relay:\n${relayLog}`,
  );

  // A self-signed certificate for hooks.example.com, and nginx with the documented server block.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=hooks.example.com',
      '-addext',
      'subjectAltName=DNS:hooks.example.com,IP:127.0.0.1',
      '-keyout',
      join(dir, 'tls/privkey.pem'),
      '-out',
      join(dir, 'tls/fullchain.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'tls/fullchain.pem'), 'utf8');
  const site = map(readFileSync(join(DEPLOY, 'nginx-hookbridge.conf'), 'utf8'))
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
    .replace('listen [::]:443 ssl http2;', '')
    .replaceAll('/etc/letsencrypt/live/hooks.example.com', join(dir, 'tls'));
  writeFileSync(join(dir, 'nginx/hookbridge.conf'), site);
  const temp = join(dir, 'nginx/tmp');
  writeFileSync(
    join(dir, 'nginx/nginx.conf'),
    `pid ${join(dir, 'nginx/nginx.pid')};
error_log stderr notice;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log ${join(dir, 'nginx/logs/access.log')};
  client_body_temp_path ${temp}/body; proxy_temp_path ${temp}/proxy; fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi; scgi_temp_path ${temp}/scgi;
  include ${join(dir, 'nginx/hookbridge.conf')};
}
`,
  );
  nginx = spawn(NGINX, ['-p', join(dir, 'nginx'), '-c', join(dir, 'nginx/nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  nginx.stdout!.on('data', (c: Buffer) => (nginxLog += c));
  nginx.stderr!.on('data', (c: Buffer) => (nginxLog += c));
  await waitFor(
    async () => (await call({ tls: true, path: '/healthz' })) === 200,
    () => `nginx:\n${nginxLog}`,
  );
}, 60_000);

afterAll(async () => {
  for (const child of [nginx, relay]) {
    if (!child || child.exitCode !== null) continue;
    await new Promise<void>((r) => {
      child.once('exit', () => r());
      child.kill('SIGTERM');
    });
  }
});

test('signed webhooks through HTTPS from the allowed client are accepted, and stored on the persistent path', async () => {
  expect(await viaNginx('127.0.0.5')).toBe(202);
  expect(existsSync(join(dir, 'var/hookbridge.db'))).toBe(true);
});

test('behind the trusted proxy the allow-list applies to the real client: another client is refused, even claiming the allowed address', async () => {
  expect(await viaNginx('127.0.0.6')).toBe(403);
  // nginx appends the address it saw; the relay reads the right-most untrusted entry, not the forged one.
  expect(await viaNginx('127.0.0.6', '127.0.0.5')).toBe(403);
});

test('X-Forwarded-For from an untrusted peer is ignored', async () => {
  expect(await direct('127.0.0.7', '127.0.0.5')).toBe(403);
  // The allowed client straight to the relay is judged by its own address.
  expect(await direct('127.0.0.5', '203.0.113.9')).toBe(202);
});

test('a source that trusts no proxy sees only nginx, so its allow-list refuses even the allowed client', async () => {
  expect(await signedCall(true, '127.0.0.5', undefined, '/hooks/untrusted')).toBe(403);
});

test('the admin API through the proxy wants the token from the EnvironmentFile; secrets never reach the logs', async () => {
  const admin = (token: string) => call({ tls: true, path: '/admin/events', headers: { authorization: `Bearer ${token}` } });
  expect(await admin('wrong-token-wrong-token')).toBe(401);
  expect(await admin(secrets.HOOKBRIDGE_ADMIN_TOKEN)).toBe(200);
  for (const value of Object.values(secrets)) expect(relayLog).not.toContain(value);
});
