import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { getProvider } from '@hookbridge/core';
import { loadConfig, ConfigError } from '../config/load';
import type { RelayConfig } from '../config/schema';
import { Relay } from '../relay';
import { sendSample } from '../send';
import { StoreUnavailableError } from '../storage/store';
import { migratePostgres, redactUrl } from '../storage/postgres-store';
import { SqliteDatabase } from '../storage/sqlite';

/** `--storage`: a PostgreSQL URL selects PostgreSQL; anything else is the SQLite file. */
export function useStorage(config: RelayConfig, storage: string): void {
  if (/^postgres(ql)?:\/\//.test(storage)) config.storage.url = storage;
  else {
    config.storage.path = storage;
    delete config.storage.url;
  }
}

/** The example configuration's admin token: fine on 127.0.0.1, never on an address others can reach. */
export const EXAMPLE_ADMIN_TOKEN = 'local-admin-token-change-me';
export const DEFAULT_CONFIG = 'hookbridge.yaml';

/** `--config`, or `./hookbridge.yaml` when there is one. Undefined: neither exists. */
export function configPath(given: string | undefined): string | undefined {
  if (given) return given;
  return existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Why the relay must not listen as configured, or undefined. Exposed with a guessable or no admin token is refused. */
export function exposureProblem(config: RelayConfig): string | undefined {
  const { host, adminToken } = config.server;
  if (isLoopback(host)) return undefined;
  if (adminToken && adminToken !== EXAMPLE_ADMIN_TOKEN) return undefined;
  const which = adminToken ? "the example's admin token" : 'no admin token';
  return (
    `refusing to listen on ${host} with ${which}: anyone who reaches it could read events and replay deliveries. ` +
    `Set server.adminToken to a secret of your own (e.g. HOOKBRIDGE_ADMIN_TOKEN=$(openssl rand -hex 32)), or keep server.host on 127.0.0.1.`
  );
}

/** The base URL a local client uses to reach the relay (a wildcard address becomes loopback). */
export function localUrl(config: RelayConfig, port = config.server.port): string {
  const host = config.server.host;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

/** What `serve` prints once it listens: the sources, the console and how to sign in, and a command that works as printed. */
export function banner(relay: Relay, url: string, file: string, demo: boolean): string[] {
  const { config } = relay;
  const lines = [`\nHookbridge relay on ${url}`];
  for (const source of config.sources) {
    const name = typeof source.provider === 'string' ? getProvider(source.provider).name : 'generic';
    lines.push(`  POST ${url}/hooks/${source.id}   (${name})`);
  }
  const token = config.server.adminToken;
  if (!token) lines.push(`Console:  off (set server.adminToken to turn the console and the admin API on)`);
  else if (token === EXAMPLE_ADMIN_TOKEN) lines.push(`Console:  ${url}/console  — sign in with the example admin token ${token}`);
  else lines.push(`Console:  ${url}/console  — sign in with your admin token (server.adminToken in ${file})`);
  const first = config.sources.find((s) => typeof s.provider === 'string' && getProvider(s.provider).events.length);
  if (first) {
    const where = relative(process.cwd(), file) || file;
    lines.push(`Try it:   npx hookbridge send --config ${where} --source ${first.id}`);
    if (!demo) lines.push(`Or run with --demo to send a sample to every source.`);
  }
  return [...lines, ''];
}

interface ServeOptions {
  config?: string;
  port?: number;
  storage?: string;
  demo?: boolean;
}

export function serveCommand(program: Command, portOption: (value: string) => number): void {
  program
    .command('serve')
    .description('run the relay: receive, verify, dedupe, store, route and deliver')
    .option('--config <file>', `YAML configuration (default: ./${DEFAULT_CONFIG})`)
    .option('--port <port>', 'override server.port', portOption)
    .option('--storage <file|url>', 'override the storage: a SQLite file, or postgres://… (several relays share it)')
    .option('--demo', 'after starting, send one signed sample event to every source')
    .action(async (o: ServeOptions) => {
      const fail = (line: string): never => {
        console.error(`error: ${line}`);
        process.exit(2);
      };
      const file = configPath(o.config);
      if (!file) return fail(`no --config given and no ./${DEFAULT_CONFIG} here. Write one with: npx hookbridge init`);
      let relay: Relay;
      try {
        const config = loadConfig(file);
        if (o.storage) useStorage(config, o.storage);
        const exposed = exposureProblem(config);
        if (exposed) return fail(exposed);
        relay = new Relay(config);
      } catch (error) {
        if (error instanceof ConfigError) {
          console.error(error.message);
          process.exit(2);
        }
        throw error;
      }
      let url: string;
      try {
        url = await relay.start(o.port);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (error instanceof StoreUnavailableError) {
          await relay.close(0).catch(() => undefined);
          return fail(
            `${error.message} (storage.url in ${file}). Start PostgreSQL or fix the URL; the relay stores nothing it cannot commit.`,
          );
        }
        if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
        await relay.close(0).catch(() => undefined);
        const port = o.port ?? relay.config.server.port;
        const where = o.port !== undefined ? '--port' : `server.port in ${file}`;
        if (code === 'EADDRINUSE') return fail(`port ${port} is already in use: stop what listens there, or choose another (${where}).`);
        if (code === 'EACCES')
          return fail(`not allowed to listen on port ${port} (below 1024 needs privileges): choose another (${where}).`);
        return fail(`${relay.config.server.host} is not an address of this machine (server.host in ${file}).`);
      }
      const stop = (signal: string) => {
        relay.logger.info({ signal }, 'shutting down');
        void relay.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      for (const line of banner(relay, url, file, !!o.demo)) console.log(line);
      if (o.demo) {
        for (const source of relay.config.sources) {
          if (typeof source.provider !== 'string') continue;
          const profile = getProvider(source.provider);
          const event = profile.events[0]?.type ?? 'demo.event';
          const result = await sendSample({ provider: profile.id, event, to: `${url}/hooks/${source.id}`, secret: source.secrets[0]! });
          console.log(`demo: ${profile.name} ${event} → ${result.status} ${result.body}`);
        }
      }
    });
}

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      "apply the storage's schema migrations and exit (serve applies them too, under a lock; run this ahead of a rolling upgrade)",
    )
    .option('--config <file>', `YAML configuration (default: ./${DEFAULT_CONFIG})`)
    .option('--storage <file|url>', 'override the storage: a SQLite file, or postgres://…')
    .action(async (o: { config?: string; storage?: string }) => {
      const file = configPath(o.config);
      if (!file && !o.storage) {
        console.error(`error: no --config or --storage given and no ./${DEFAULT_CONFIG} here`);
        process.exit(2);
      }
      try {
        const storage = file ? loadConfig(file).storage : { path: '', synchronous: 'full' as const, poolSize: 1, queryTimeout: 30_000 };
        const config = { storage } as RelayConfig;
        if (o.storage) useStorage(config, o.storage);
        const { url, path } = config.storage;
        if (url) {
          const applied = await migratePostgres(url);
          console.log(`${redactUrl(url)}: ${applied.length ? `applied migrations ${applied.join(', ')}` : 'schema already up to date'}`);
        } else {
          new SqliteDatabase(path).close();
          console.log(`${path}: schema up to date`);
        }
      } catch (error) {
        if (error instanceof ConfigError) console.error(error.message);
        else console.error(`error: ${(error as Error).message}`);
        process.exit(error instanceof ConfigError ? 2 : 1);
      }
    });
}
