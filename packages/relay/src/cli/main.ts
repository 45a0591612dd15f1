import { Command, InvalidArgumentError, Option } from 'commander';
import { listProviders, getProvider, apiAuth, authHeaders, API_AUTH_TYPES, type OutboundAuth } from '@hookbridge/core';
import { ProviderEmulator } from '../emulator';
import { sendSample } from '../send';
import { previewPage, screenshot, PREVIEW_PLATFORMS, type PreviewPlatform } from '../preview';
import { writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadConfig } from '../config/load';
import { configPath, DEFAULT_CONFIG, localUrl, migrateCommand, serveCommand } from './serve';
import { DESTINATIONS, init } from './init';
import { adminCall, eventLines, deliveryLines, type AdminTarget } from './admin';
import { join } from 'node:path';

function providerOption(value: string): string {
  try {
    return getProvider(value).id;
  } catch {
    throw new InvalidArgumentError(
      `unknown provider (known: ${listProviders()
        .map((p) => p.id)
        .join(', ')})`,
    );
  }
}

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number');
  return port;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface EmulateOptions {
  provider: string;
  port: number;
  host: string;
  apiKey: string;
  apiAuth: string;
  apiKeyHeader: string;
  apiUsername: string;
  target: string[];
  state?: string;
}

export function buildProgram(): Command {
  const program = new Command('hookbridge')
    .description('Signed provider webhooks into Slack, Discord, Teams, n8n and Zapier')
    .version('0.1.0');

  program
    .command('send')
    .description('sign one sample event exactly as the provider would and POST it')
    .option('--config <file>', "with --source: take the provider, the secret and the relay's address from this configuration")
    .option('--source <id>', 'with --config: the source to send to')
    .option('--provider <id>', 'trackscore | trakkr | trophy | trackpilots | standard', providerOption)
    .option('--event <type>', "event type, e.g. score.updated (default: the provider's first)")
    .option('--to <url>', 'where to POST it')
    .option('--secret <secret>', 'signing secret')
    .action(async (o: { config?: string; source?: string; provider?: string; event?: string; to?: string; secret?: string }) => {
      let target: { provider: string; to: string; secret: string };
      if (o.source || o.config) {
        const file = configPath(o.config);
        if (!file || !o.source)
          return program.error('error: --source needs --config (or a ./hookbridge.yaml here), and --config needs --source');
        let config;
        try {
          config = loadConfig(file);
        } catch (error) {
          return program.error((error as Error).message);
        }
        const source = config.sources.find((s) => s.id === o.source);
        if (!source)
          return program.error(`error: no source "${o.source}" in ${file} (sources: ${config.sources.map((s) => s.id).join(', ')})`);
        if (typeof source.provider !== 'string')
          return program.error(`error: source "${source.id}" is generic: use --provider, --to and --secret`);
        target = { provider: source.provider, to: `${localUrl(config)}/hooks/${source.id}`, secret: source.secrets[0]! };
      } else {
        if (!o.provider || !o.to || !o.secret) return program.error('error: give --config and --source, or --provider, --to and --secret');
        target = { provider: o.provider, to: o.to, secret: o.secret };
      }
      const profile = getProvider(target.provider);
      const event = o.event ?? profile.events[0]?.type ?? 'demo.event';
      if (profile.events.length && !profile.events.some((e) => e.type === event)) {
        program.error(`error: ${profile.name} has no event "${event}" (known: ${profile.events.map((e) => e.type).join(', ')})`);
      }
      try {
        const result = await sendSample({ ...target, event });
        console.log(`→ POST ${target.to}  ${profile.name} ${event}  id ${result.eventId}`);
        console.log(
          `  signed: ${Object.entries(result.signatureHeaders)
            .map(([k, v]) => `${k}: ${v}`)
            .join('  ')}`,
        );
        console.log(`← ${result.status} ${result.body}`);
        if (result.status >= 300) process.exitCode = 1;
      } catch (error) {
        program.error(`error: could not send to ${target.to}: ${(error as Error).message}`);
      }
    });

  program
    .command('emulate')
    .description('run a local stand-in for a provider: its REST-hook API (Trakkr) and its signed deliveries')
    .requiredOption('--provider <id>', 'trackscore | trakkr | trophy | trackpilots', providerOption)
    .option('--port <port>', 'port to listen on', portOption, 4010)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--api-key <key>', 'API key (or Basic password) the REST-hook API accepts', 'test_api_key')
    .addOption(
      new Option('--api-auth <type>', "how the REST-hook API wants the key (the auth types in Trakkr's webhook docs)")
        .choices(API_AUTH_TYPES)
        .default('bearer'),
    )
    .option('--api-key-header <name>', 'header carrying the key with --api-auth api_key', 'X-API-Key')
    .option('--api-username <name>', 'username with --api-auth basic', 'hookbridge')
    .option('--target <url=secret>', 'deliver events to this URL, signed with this secret (repeatable)', collect, [])
    .option('--state <file>', 'keep subscriptions in this JSON file')
    .action(async (o: EmulateOptions) => {
      let auth: OutboundAuth;
      try {
        auth = apiAuth({ authType: o.apiAuth, apiKey: o.apiKey, apiKeyHeader: o.apiKeyHeader, username: o.apiUsername });
      } catch (error) {
        return program.error(`error: ${(error as Error).message}`);
      }
      const targets = o.target.map((t) => {
        const at = t.lastIndexOf('=');
        if (at < 0) program.error(`error: --target must be URL=SECRET, got "${t}"`);
        return { url: t.slice(0, at), secret: t.slice(at + 1) };
      });
      const emulator = new ProviderEmulator({ provider: o.provider, apiAuth: auth, targets, stateFile: o.state });
      const url = await emulator.listen(o.port, o.host);
      const profile = emulator.profile;
      console.log(`${profile.name} emulator on ${url}`);
      if (profile.subscription.kind === 'rest-hook') {
        const headers = Object.entries(authHeaders(auth)).map(([name, value]) => `${name}: ${value}`);
        console.log(`  REST hooks: ${url}/webhooks  (${headers.join(', ') || 'no auth'})`);
      }
      console.log(
        `  trigger:    curl -X POST ${url}/_emulator/events -H 'content-type: application/json' -d '{"type":"${profile.events[0]!.type}"}'`,
      );
      console.log(`  deliveries: ${url}/_emulator/deliveries`);
      const stop = () => void emulator.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  serveCommand(program, portOption);
  migrateCommand(program);

  program
    .command('init')
    .description('write a commented starter hookbridge.yaml for the providers and destinations you name')
    .option('--provider <ids>', 'providers, comma-separated (repeatable): trackscore, trakkr, trophy, trackpilots, standard', collect, [])
    .option('--destination <kinds>', `destinations, comma-separated (repeatable): ${DESTINATIONS.join(', ')}`, collect, [])
    .option('--out <file>', 'where to write it', DEFAULT_CONFIG)
    .option('--force', 'overwrite an existing file')
    .action(async (o: { provider: string[]; destination: string[]; out: string; force?: boolean }) => {
      try {
        // On a terminal, ask for what the flags did not say.
        const prompt = process.stdin.isTTY ? { input: process.stdin, output: process.stdout } : undefined;
        const result = await init({ ...o, prompt });
        console.log(`wrote ${result.file}: sources ${result.providers.join(', ')}; routes to ${result.destinations.join(', ')}`);
        console.log(`next:  npx hookbridge serve${result.file === DEFAULT_CONFIG ? '' : ` --config ${result.file}`}`);
      } catch (error) {
        program.error(`error: ${(error as Error).message}`);
      }
    });

  const admin = (o: { url: string; token?: string }): AdminTarget => ({ url: o.url, token: o.token });
  const adminOptions = (command: Command) =>
    command
      .option('--url <url>', 'relay base URL', process.env.HOOKBRIDGE_URL ?? 'http://127.0.0.1:8787')
      .option('--token <token>', 'admin token (or HOOKBRIDGE_ADMIN_TOKEN)', process.env.HOOKBRIDGE_ADMIN_TOKEN)
      .option('--json', 'print JSON');

  adminOptions(program.command('events').description('list recent events'))
    .option('--source <id>', 'only this source')
    .option('--type <type>', 'only this event type')
    .option('--limit <n>', 'how many', '50')
    .action(async (o: { url: string; token?: string; json?: boolean; source?: string; type?: string; limit: string }) => {
      const q = new URLSearchParams({ limit: o.limit, ...(o.source ? { source: o.source } : {}), ...(o.type ? { type: o.type } : {}) });
      try {
        const { data } = await adminCall<{ data: Parameters<typeof eventLines>[0] }>(admin(o), 'GET', `/admin/events?${q}`);
        console.log(o.json ? JSON.stringify(data, null, 2) : eventLines(data).join('\n') || 'no events');
      } catch (error) {
        program.error(`error: ${(error as Error).message}`);
      }
    });

  adminOptions(program.command('deliveries').description('list deliveries'))
    .option('--status <status>', 'failed | pending | in_flight | delivered')
    .option('--route <id>', 'only this route')
    .option('--since <age>', 'e.g. 1h, 30m')
    .option('--limit <n>', 'how many', '50')
    .action(async (o: { url: string; token?: string; json?: boolean; status?: string; route?: string; since?: string; limit: string }) => {
      const q = new URLSearchParams({
        limit: o.limit,
        ...(o.status ? { status: o.status } : {}),
        ...(o.route ? { route: o.route } : {}),
        ...(o.since ? { since: o.since } : {}),
      });
      try {
        const { data } = await adminCall<{ data: Parameters<typeof deliveryLines>[0] }>(admin(o), 'GET', `/admin/deliveries?${q}`);
        console.log(o.json ? JSON.stringify(data, null, 2) : deliveryLines(data).join('\n') || 'no deliveries');
      } catch (error) {
        program.error(`error: ${(error as Error).message}`);
      }
    });

  adminOptions(
    program
      .command('replay')
      .description('deliver an event again, or every failed delivery')
      .argument('[event-id]', 'provider event id or relay row id'),
  )
    .option('--source <id>', 'the source, when an event id is not unique')
    .option('--failed', 'replay failed deliveries')
    .option('--route <id>', 'with --failed: only this route')
    .option('--since <age>', 'with --failed: only those failed within, e.g. 1h')
    .action(
      async (
        eventId: string | undefined,
        o: { url: string; token?: string; json?: boolean; source?: string; failed?: boolean; route?: string; since?: string },
      ) => {
        if (!eventId && !o.failed) program.error('error: give an event id, or --failed');
        try {
          const result = await adminCall<{ deliveries: number; events?: number }>(
            admin(o),
            'POST',
            '/admin/replay',
            eventId ? { event: eventId, source: o.source } : { failed: true, route: o.route, since: o.since },
          );
          console.log(o.json ? JSON.stringify(result) : `queued ${result.deliveries} deliveries again`);
        } catch (error) {
          program.error(`error: ${(error as Error).message}`);
        }
      },
    );

  program
    .command('preview')
    .description("render a provider event's default Slack / Discord / Teams message to HTML, and to PNG with headless Chromium")
    .option('--provider <id>', 'provider', providerOption)
    .option('--event <type>', 'event type (default: the first in the catalogue)')
    .option('--to <platform>', 'slack | discord | teams', 'teams')
    .option('--out <file.html>', 'write the HTML here')
    .option('--png <file.png>', 'write a screenshot here')
    .option('--gallery <dir>', 'write PNGs of every provider x platform into this folder')
    .action(async (o: { provider?: string; event?: string; to: string; out?: string; png?: string; gallery?: string }) => {
      if (o.gallery) {
        mkdirSync(o.gallery, { recursive: true });
        for (const profile of listProviders().filter((p) => p.events.length)) {
          const type = profile.events[0]!.type;
          for (const platform of PREVIEW_PLATFORMS) {
            const file = join(o.gallery, `${profile.id}-${type}-${platform}.png`);
            await screenshot(previewPage(profile.id, type, platform), file);
            console.log(`wrote ${file}`);
          }
        }
        return;
      }
      if (!o.provider) program.error('error: --provider is required (or --gallery)');
      if (!(PREVIEW_PLATFORMS as readonly string[]).includes(o.to))
        program.error(`error: --to must be one of ${PREVIEW_PLATFORMS.join(', ')}`);
      const profile = getProvider(o.provider!);
      const type = o.event ?? profile.events[0]?.type;
      if (!type || (profile.events.length && !profile.events.some((e) => e.type === type)))
        program.error(`error: ${profile.name} has no event "${type}"`);
      const html = previewPage(profile.id, type!, o.to as PreviewPlatform);
      if (o.out) {
        writeFileSync(o.out, html);
        console.log(`wrote ${o.out}`);
      }
      if (o.png) {
        await screenshot(html, o.png);
        console.log(`wrote ${o.png}`);
      }
      if (!o.out && !o.png) {
        // A page is hundreds of KB: written to a file, never dumped into the terminal.
        const file = join(tmpdir(), `hookbridge-preview-${profile.id}-${type}-${o.to}.html`.replace(/[^\w.-]+/g, '_'));
        writeFileSync(file, html);
        console.log(`wrote ${file}  (open it in a browser; --out <file.html> or --png <file.png> to choose)`);
      }
    });

  return program;
}

export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

if (require.main === module) main(process.argv);
