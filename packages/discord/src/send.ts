import { deliver, DeliveryError, type AttemptLog, type DeliverOptions, type HttpResponse } from '@hookbridge/core/pure';
import type { DiscordMessage } from './format';

/** How a Discord message is sent: core's outbound layer (address policy, timeout, retries), or a host's transport. */
export type DiscordSendOptions = Omit<DeliverOptions, 'interpret' | 'auth' | 'sign'>;

export interface DiscordSendResult {
  ok: true;
  messageId: string;
  channelId: string;
  attempts: AttemptLog[];
}

/** Splits `https://discord.com/api/webhooks/{id}/{token}` into the REST base, id and token. */
export function parseWebhookUrl(url: string): { api: string; id: string; token: string } {
  const match = /^(https?:\/\/[^/]+(?:\/[^/]+)*?\/api)(?:\/v\d+)?\/webhooks\/(\d+)\/([\w-]+)\/?(?:\?.*)?$/.exec(url);
  if (!match) throw new DeliveryError('invalid_destination', 'Not a Discord webhook URL (…/api/webhooks/{id}/{token})');
  return { api: match[1]!, id: match[2]!, token: match[3]! };
}

/** The execute-webhook URL: API v10, `wait=true` so Discord returns the message or the reason it refused. */
export function executeWebhookUrl(webhookUrl: string): string {
  const { api, id, token } = parseWebhookUrl(webhookUrl);
  const thread = new URL(webhookUrl).searchParams.get('thread_id');
  return `${api}/v10/webhooks/${id}/${token}?wait=true${thread ? `&thread_id=${encodeURIComponent(thread)}` : ''}`;
}

/** `{ embeds: { 0: { title: { _errors: [{ message }] } } } }` → `embeds[0].title: message`, as Discord's clients print it. */
function flattenErrors(node: unknown, path = ''): string[] {
  if (!node || typeof node !== 'object') return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === '_errors' && Array.isArray(value)) {
      for (const e of value as { code?: string; message?: string }[])
        out.push(`${path || 'body'}[${e.code ?? 'ERROR'}]: ${e.message ?? ''}`);
    } else {
      out.push(...flattenErrors(value, /^\d+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key));
    }
  }
  return out;
}

function parse(body: string): { message?: string; retry_after?: number; errors?: unknown } | undefined {
  try {
    return JSON.parse(body) as { message?: string; retry_after?: number; errors?: unknown };
  } catch {
    return undefined;
  }
}

/** 429 waits the body's `retry_after` (seconds, a float); a 4xx names the field Discord refused; 5xx retries. */
export function interpretDiscordAnswer(response: HttpResponse): DeliveryError | undefined {
  const { status } = response;
  if (status < 400 || status >= 500 || status === 408) return undefined;
  const answer = parse(response.body);
  if (status === 429) {
    const seconds = answer?.retry_after ?? Number(response.headers['retry-after'] ?? 1);
    return new DeliveryError('rate_limited', 'Discord rate limit', { status, retryable: true, retryAfterMs: Math.ceil(seconds * 1000) });
  }
  const detail = [answer?.message ?? response.body.slice(0, 200), ...flattenErrors(answer?.errors)].filter(Boolean).join('; ');
  return new DeliveryError('platform_rejected', `Discord refused the message (${status}): ${detail}`, { status, retryable: false });
}

/** Executes a Discord webhook through the outbound layer. Throws a `DeliveryError` when Discord refuses. */
export async function sendToDiscord(
  message: DiscordMessage,
  webhookUrl: string,
  options: DiscordSendOptions = {},
): Promise<DiscordSendResult> {
  const result = await deliver({ url: executeWebhookUrl(webhookUrl), body: message }, { ...options, interpret: interpretDiscordAnswer });
  if (!result.ok) throw result.error!;
  const sent = parse(result.responseBody ?? '') as { id?: string; channel_id?: string } | undefined;
  return { ok: true, messageId: sent?.id ?? '', channelId: sent?.channel_id ?? '', attempts: result.attempts };
}
