import { deliver, DeliveryError, type DeliverOptions, type DeliveryResult, type HttpResponse } from '@hookbridge/core/pure';
import type { TeamsMessage } from './card';

/**
 * Teams sometimes reports failure inside a 2xx: the legacy connectors answer 200 with
 * "Microsoft Teams endpoint returned HTTP error 429 …". Those are retried.
 */
export function inspectTeamsAnswer(response: HttpResponse): DeliveryError | undefined {
  const { status } = response;
  if (status < 200 || status >= 300) return undefined;
  const text = response.body.trim();
  if (text === '' || text === '1' || text.startsWith('{')) return undefined;
  if (/error|fail|throttl|429/i.test(text)) {
    return new DeliveryError(
      /429|throttl/i.test(text) ? 'rate_limited' : 'platform_rejected',
      `Teams answered ${status} with: ${text.slice(0, 200)}`,
      {
        status,
        retryable: true,
      },
    );
  }
  return undefined;
}

/**
 * POSTs the message to a Teams Workflows (Power Automate) webhook URL with the core
 * delivery policy: 429 waits Retry-After, 5xx and errors hidden in a 200 retry.
 */
export function sendToTeams(
  message: TeamsMessage,
  workflowUrl: string,
  options: Omit<DeliverOptions, 'interpret'> = {},
): Promise<DeliveryResult> {
  return deliver({ url: workflowUrl, body: message }, { ...options, interpret: inspectTeamsAnswer });
}
