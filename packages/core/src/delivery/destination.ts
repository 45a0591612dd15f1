/** The destination kinds Trakkr's webhook docs detects from a webhook URL. */
export type DestinationKind = 'webhook' | 'zapier' | 'make' | 'discord' | 'slack' | 'teams_webhook';

const rules: [DestinationKind, RegExp][] = [
  ['discord', /^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/],
  ['slack', /^hooks\.slack\.com$/],
  ['zapier', /^hooks\.zapier\.com$/],
  ['make', /^hook\.(?:[a-z0-9-]+\.)?(?:make\.com|integromat\.com)$/],
  // Legacy Office 365 connectors, and Teams Workflows (Power Automate) URLs.
  ['teams_webhook', /(?:\.webhook\.office\.com|\.logic\.azure\.com|\.api\.powerplatform\.com)$/],
];

export function detectDestination(rawUrl: string): DestinationKind {
  let host: string;
  try {
    host = new URL(rawUrl).hostname.toLowerCase();
  } catch {
    return 'webhook';
  }
  for (const [kind, re] of rules) {
    if (!re.test(host)) continue;
    if (kind === 'discord' && !new URL(rawUrl).pathname.includes('/webhooks/')) continue;
    return kind;
  }
  return 'webhook';
}
