import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { loadConfig } from '../config/load';
import { tempDir } from '../test-support';
import { init } from './init';

/** The real CLI, as a user runs it (`npm test` builds first). */
const BIN = resolve(__dirname, '../../bin/hookbridge.js');
const run = promisify(execFile);

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

function freePort(): Promise<number> {
  return new Promise((r) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => r(port));
    });
  });
}

/** `hookbridge serve` in the background, until its banner is printed. */
async function serve(args: string[], cwd: string): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd, env: { ...process.env, HOOKBRIDGE_LOG_LEVEL: 'warn' } });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (out += c));
  const end = Date.now() + 15_000;
  while (!/Try it:|error:/.test(out) || (/--demo/.test(args.join(' ')) && !/demo: /.test(out))) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 200));
  return { child, out: () => out };
}

const stop = (child: ChildProcess) =>
  new Promise<void>((r) => {
    if (child.exitCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });

async function project(port: number, extra = ''): Promise<string> {
  const dir = tempDir('hb-cli-');
  await init({ provider: ['trackscore', 'trophy'], destination: ['log'], out: join(dir, 'hookbridge.yaml') });
  const text = readFileSync(join(dir, 'hookbridge.yaml'), 'utf8').replace('port: 8787', `port: ${port}`) + extra;
  writeFileSync(join(dir, 'hookbridge.yaml'), text);
  return dir;
}

describe('hookbridge init, then serve it unchanged', () => {
  test('init writes a commented config that serve runs as written (from ./hookbridge.yaml), and the printed send command works', async () => {
    const dir = tempDir('hb-cli-');
    const written = await cli(['init', '--provider', 'trackscore,trakkr', '--destination', 'slack', '--destination', 'discord,log'], dir);
    expect(written).toMatchObject({ code: 0 });
    expect(written.out).toContain('wrote hookbridge.yaml: sources trackscore, trakkr; routes to slack, discord, log');
    const file = join(dir, 'hookbridge.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Hookbridge relay configuration/);
    expect(text).toContain("'${SLACK_WEBHOOK_URL:-");
    expect(text).not.toContain('local-admin-token-change-me');
    expect(loadConfig(file, {}).routes.map((r) => r.destination.type)).toEqual(['slack', 'discord', 'log']);
    expect((await cli(['init', '--provider', 'trophy'], dir)).err).toContain('hookbridge.yaml exists; pass --force');
    expect((await cli(['init', '--provider', 'acme', '--out', 'x.yaml'], dir)).err).toContain(
      'unknown provider "acme" (known: trackscore, trakkr',
    );

    const port = await freePort();
    writeFileSync(file, text.replace('port: 8787', `port: ${port}`));
    const { child, out } = await serve([], dir);
    try {
      const banner = out();
      expect(banner).toContain(
        `Console:  http://127.0.0.1:${port}/console  — sign in with your admin token (server.adminToken in hookbridge.yaml)`,
      );
      expect(banner).not.toMatch(/adminToken: '\$\{HOOKBRIDGE_ADMIN_TOKEN:-([0-9a-f]+)/.exec(text)![1]!);
      expect(banner).toContain('Or run with --demo');
      // The command exactly as printed: it must be accepted (no placeholder secret answering 401).
      const printed = /Try it:\s+npx hookbridge (.+)/.exec(banner)![1]!.trim().split(/\s+/);
      const sent = await cli(printed, dir);
      expect(sent.out).toMatch(/← 202 \{"ok":true/);
      expect(sent.code).toBe(0);
    } finally {
      await stop(child);
    }
  }, 60_000);

  test('init asks on a terminal for what the flags did not say', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = '';
    output.on('data', (c: Buffer) => {
      asked += c;
      if (/Providers \([^)]*\) \[trackscore,trakkr,trophy,trackpilots\]: $/.test(asked)) input.write('trophy, trackpilots\n');
      if (asked.endsWith('Destinations (slack, slack-bot, discord, teams, webhook, log) [log]: ')) input.write('teams\n');
    });
    const out = join(tempDir('hb-cli-'), 'hookbridge.yaml');
    const result = await init({ provider: [], destination: [], out, prompt: { input, output } });
    expect(result).toMatchObject({ providers: ['trophy', 'trackpilots'], destinations: ['teams'] });
    expect(loadConfig(out, {}).sources.map((s) => s.id)).toEqual(['trophy', 'trackpilots']);
  });

  test('serve without --config and without ./hookbridge.yaml says how to get one', async () => {
    const result = await cli(['serve'], tempDir('hb-cli-'));
    expect(result.code).toBe(2);
    expect(result.err.trim()).toBe('error: no --config given and no ./hookbridge.yaml here. Write one with: npx hookbridge init');
  });
});

describe('serve: clear one-line refusals, exit code 2, no stack', () => {
  test('a port already in use names the port and the config key', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const result = await cli(['serve'], await project(port));
      expect(result.code).toBe(2);
      expect(result.err.trim()).toBe(
        `error: port ${port} is already in use: stop what listens there, or choose another (server.port in hookbridge.yaml).`,
      );
      expect(result.err).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  test('a non-loopback address with the example admin token (or none) is refused with the fix', async () => {
    const exposed = (token: string) => (text: string) =>
      text.replace('host: 127.0.0.1', 'host: 0.0.0.0').replace(/adminToken: .*/, token ? `adminToken: ${token}` : '');
    for (const [token, which] of [
      ['local-admin-token-change-me', "the example's admin token"],
      ['', 'no admin token'],
    ] as const) {
      const dir = await project(await freePort());
      const file = join(dir, 'hookbridge.yaml');
      writeFileSync(file, exposed(token)(readFileSync(file, 'utf8')));
      const result = await cli(['serve'], dir);
      expect(result.code).toBe(2);
      expect(result.err.trim().split('\n')).toHaveLength(1);
      expect(result.err).toContain(`refusing to listen on 0.0.0.0 with ${which}`);
      expect(result.err).toContain('Set server.adminToken to a secret of your own');
    }
  });

  test('with the example config and --demo: the example token is shown, no "run with --demo" hint', async () => {
    const dir = tempDir('hb-cli-');
    const example = readFileSync(resolve(__dirname, '../../../../examples/relay/hookbridge.yaml'), 'utf8');
    mkdirSync(join(dir, 'cfg'));
    const port = await freePort();
    writeFileSync(join(dir, 'cfg/hookbridge.yaml'), example.replace('port: 8787', `port: ${port}`).replace('../../data/', './data/'));
    const { child, out } = await serve(['--config', 'cfg/hookbridge.yaml', '--demo'], dir);
    try {
      expect(out()).toContain(
        `Console:  http://127.0.0.1:${port}/console  — sign in with the example admin token local-admin-token-change-me`,
      );
      expect(out()).toContain('Try it:   npx hookbridge send --config cfg/hookbridge.yaml --source trackscore');
      expect(out()).not.toContain('Or run with --demo');
      expect(out()).toMatch(/demo: TrackScore score\.updated → 202/);
      expect(existsSync(join(dir, 'cfg/data/hookbridge.db'))).toBe(true);
    } finally {
      await stop(child);
    }
  }, 60_000);
});

describe('admin commands and preview', () => {
  test('an admin command answered 401 says how to pass the token', async () => {
    const port = await freePort();
    const dir = await project(port);
    const { child } = await serve([], dir);
    try {
      const none = await cli(['events', '--url', `http://127.0.0.1:${port}`], dir, { HOOKBRIDGE_ADMIN_TOKEN: '' });
      expect(none.code).toBe(1);
      expect(none.err).toContain(
        '401: the relay refused the request: no admin token given; pass the admin token with --token <token> or HOOKBRIDGE_ADMIN_TOKEN=<token>',
      );
      const wrong = await cli(['events', '--url', `http://127.0.0.1:${port}`, '--token', 'wrong-token-wrong-token'], dir);
      expect(wrong.err).toContain('401: the relay refused this admin token; pass the admin token with --token');
      const token = /adminToken: '\$\{HOOKBRIDGE_ADMIN_TOKEN:-([0-9a-f]+)/.exec(readFileSync(join(dir, 'hookbridge.yaml'), 'utf8'))![1]!;
      expect(await cli(['events', '--url', `http://127.0.0.1:${port}`], dir, { HOOKBRIDGE_ADMIN_TOKEN: token })).toMatchObject({ code: 0 });
    } finally {
      await stop(child);
    }
  }, 60_000);

  test('preview without --out or --png writes a file and prints its path, not the page', async () => {
    const result = await cli(['preview', '--provider', 'trophy', '--to', 'slack'], tempDir('hb-cli-'));
    expect(result.code).toBe(0);
    const file = /^wrote (\S+\.html)/.exec(result.out)![1]!;
    expect(result.out.length).toBeLessThan(300);
    expect(readFileSync(file, 'utf8')).toContain('<html');
  });
});
