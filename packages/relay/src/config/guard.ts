import { checkUrl, DeliveryError, INSECURE_GUARD, type DestinationGuard } from '@hookbridge/core';
import type { DestinationConfig, RelayConfig } from './schema';

/** The address policy of every outbound request the relay makes; `server.allowInsecureDestinations` opens it for local set-ups. */
export function destinationGuard(config: Pick<RelayConfig, 'server'>): DestinationGuard {
  return config.server.allowInsecureDestinations ? INSECURE_GUARD : {};
}

/** The URLs a destination sends to, by config key. */
function destinationUrls(destination: DestinationConfig): [string, string][] {
  switch (destination.type) {
    case 'slack':
      return destination.webhookUrl
        ? [['webhookUrl', destination.webhookUrl]]
        : [['apiUrl', destination.apiUrl ?? 'https://slack.com/api/']];
    case 'discord':
      return [['webhookUrl', destination.webhookUrl]];
    case 'teams':
      return [['workflowUrl', destination.workflowUrl]];
    case 'webhook':
      return [['url', destination.url]];
    case 'log':
      return [];
  }
}

/**
 * Destinations the address policy refuses by their literal URL (scheme, IP address): a
 * configuration error at load time, naming the route and the reason, rather than failed deliveries later.
 * Host names are checked again on every connection, against the addresses they resolve to.
 */
export function refusedDestinations(config: RelayConfig): string[] {
  const guard = destinationGuard(config);
  const problems: string[] = [];
  config.routes.forEach((route, i) => {
    for (const [key, destination] of [
      ['destination', route.destination],
      ['onFailure', route.onFailure],
    ] as const) {
      if (!destination) continue;
      for (const [field, url] of destinationUrls(destination)) {
        try {
          checkUrl(url, guard);
        } catch (error) {
          if (!(error instanceof DeliveryError)) throw error;
          problems.push(
            `routes[${i}].${key}.${field}: route "${route.id}": ${error.message} (for a local set-up, set server.allowInsecureDestinations: true)`,
          );
        }
      }
    }
  });
  return problems;
}
