import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { getProvider, listProviders } from '@hookbridge/core';

export const DESTINATIONS = ['slack', 'slack-bot', 'discord', 'teams', 'webhook', 'log'] as const;
export type DestinationChoice = (typeof DESTINATIONS)[number];

const envName = (id: string) => `${id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_SECRET`;
const secret = () => randomBytes(24).toString('base64url');

/** A route's destination block, secrets from the environment with a stand-in that loads (so `serve` runs it unchanged). */
function destination(choice: DestinationChoice): string[] {
  switch (choice) {
    case 'slack':
      return [
        '    # An incoming webhook: Slack app → Incoming Webhooks → Add New Webhook to Workspace (see the Slack guide).',
        "    destination: { type: slack, webhookUrl: '${SLACK_WEBHOOK_URL:-https://hooks.slack.com/services/T0000/B0000/set-SLACK_WEBHOOK_URL}' }",
      ];
    case 'slack-bot':
      return [
        '    # A bot token with chat:write; invite the bot to the channel (/invite @your-app).',
        "    destination: { type: slack, token: '${SLACK_BOT_TOKEN:-xoxb-set-SLACK_BOT_TOKEN}', channel: '${SLACK_CHANNEL:-#alerts}' }",
      ];
    case 'discord':
      return [
        '    # Channel settings → Integrations → Webhooks → New Webhook → Copy Webhook URL.',
        "    destination: { type: discord, webhookUrl: '${DISCORD_WEBHOOK_URL:-https://discord.com/api/webhooks/0/set-DISCORD_WEBHOOK_URL}' }",
      ];
    case 'teams':
      return [
        '    # Teams Workflows: "Post to a channel when a webhook request is received"; copy the HTTP POST URL.',
        "    destination: { type: teams, workflowUrl: '${TEAMS_WORKFLOW_URL:-https://example.logic.azure.com/workflows/set-TEAMS_WORKFLOW_URL}' }",
      ];
    case 'webhook':
      return [
        '    # Any HTTPS endpoint; the canonical event as JSON, signed with Standard Webhooks.',
        '    destination:',
        '      type: webhook',
        "      url: '${WEBHOOK_URL:-https://example.com/set-WEBHOOK_URL}'",
        "      sign: { scheme: standard-webhooks, secret: '${WEBHOOK_SIGNING_SECRET:-whsec_" + randomBytes(24).toString('base64') + "}' }",
      ];
    case 'log':
      return [
        '    # Prints the message a Slack destination would receive: swap for a real destination when ready.',
        '    destination: { type: log, format: slack }',
      ];
  }
}

/** A commented starter configuration for these providers and destinations; `hookbridge serve` runs it as written. */
export function starterConfig(providers: string[], destinations: DestinationChoice[]): string {
  const lines = [
    '# Hookbridge relay configuration, written by `hookbridge init`.',
    '# Run it:  npx hookbridge serve            (reads ./hookbridge.yaml)',
    '# Check it: npx hookbridge send --source <id>   (signs a sample as the provider would and posts it here)',
    '#',
    '# Secrets come from the environment. Each ${NAME:-…} below has a stand-in so the file runs as written;',
    "# set the variables (a systemd EnvironmentFile, your platform's secrets) before pointing real providers here.",
    '',
    'server:',
    '  host: 127.0.0.1 # behind a reverse proxy (TLS) in production; see "Deploying the relay"',
    '  port: 8787',
    '  # The console and admin API; generated for you. Never the example token on a public address.',
    `  adminToken: '\${HOOKBRIDGE_ADMIN_TOKEN:-${randomBytes(24).toString('hex')}}'`,
    '',
    'storage:',
    '  path: ./data/hookbridge.db # relative to this file; keep it on a persistent disk',
    '',
    'sources:',
  ];
  for (const id of providers) {
    const profile = getProvider(id);
    const where =
      profile.subscription.kind === 'rest-hook'
        ? `register https://<your-host>/hooks/${id} through ${profile.name}'s webhook API with this signing secret`
        : `paste https://<your-host>/hooks/${id} and copy the signing secret (${profile.dashboardHint ?? `${profile.name}'s webhook settings`})`;
    lines.push(`  # ${profile.name}: ${where}`);
    lines.push(`  - id: ${id}`, `    provider: ${id}`, `    secrets: ['\${${envName(id)}:-${secret()}}']`);
  }
  lines.push('', 'routes:');
  for (const choice of destinations) {
    lines.push(`  - id: to-${choice}`, `    sources: [${providers.join(', ')}]`, "    events: ['*']", ...destination(choice));
  }
  if (destinations.length === 0) lines.push('  []');
  return lines.join('\n') + '\n';
}

function parseList(value: string, known: readonly string[], what: string): string[] {
  const items = value
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = items.filter((i) => !known.includes(i));
  if (unknown.length) throw new Error(`unknown ${what} ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${known.join(', ')})`);
  return [...new Set(items)];
}

export interface InitOptions {
  provider: string[];
  destination: string[];
  out: string;
  force?: boolean;
  /** Ask on the terminal for what the flags did not say. */
  prompt?: { input: Readable; output: Writable };
}

/** Writes the starter configuration; returns the file and what it holds. */
export async function init(options: InitOptions): Promise<{ file: string; providers: string[]; destinations: DestinationChoice[] }> {
  const knownProviders = listProviders()
    .filter((p) => p.events.length > 0)
    .map((p) => p.id);
  let providers = parseList(options.provider.join(','), knownProviders, 'provider');
  let destinations = parseList(options.destination.join(','), DESTINATIONS, 'destination') as DestinationChoice[];
  if (options.prompt && (providers.length === 0 || destinations.length === 0)) {
    const rl = createInterface({ input: options.prompt.input, output: options.prompt.output, terminal: false });
    try {
      if (providers.length === 0) {
        const answer = await rl.question(`Providers (${knownProviders.join(', ')}) [${knownProviders.join(',')}]: `);
        providers = answer.trim() ? parseList(answer, knownProviders, 'provider') : knownProviders;
      }
      if (destinations.length === 0) {
        const answer = await rl.question(`Destinations (${DESTINATIONS.join(', ')}) [log]: `);
        destinations = (answer.trim() ? parseList(answer, DESTINATIONS, 'destination') : ['log']) as DestinationChoice[];
      }
    } finally {
      rl.close();
    }
  }
  if (providers.length === 0) throw new Error(`name at least one provider: --provider ${knownProviders.join(',')}`);
  if (destinations.length === 0) destinations = ['log'];
  if (existsSync(options.out) && !options.force) throw new Error(`${options.out} exists; pass --force to overwrite it`);
  writeFileSync(options.out, starterConfig(providers, destinations), { mode: 0o600 });
  return { file: options.out, providers, destinations };
}
