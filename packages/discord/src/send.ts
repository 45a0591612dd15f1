import { WebhookClient, DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError, DEFAULT_RETRY_POLICY, type RetryPolicy } from '@hookbridge/core';
import type { DiscordMessage } from './format';

export interface DiscordSendOptions {
  policy?: Partial<RetryPolicy>;
}

export interface DiscordSendResult {
  ok: true;
  messageId: string;
  channelId: string;
}

/** Splits `https://discord.com/api/webhooks/{id}/{token}` into the REST base, id and token. */
export function parseWebhookUrl(url: string): { api: string; id: string; token: string } {
  const match = /^(https?:\/\/[^/]+(?:\/[^/]+)*?\/api)(?:\/v\d+)?\/webhooks\/(\d+)\/([\w-]+)\/?(?:\?.*)?$/.exec(url);
  if (!match) throw new DeliveryError('invalid_destination', 'Not a Discord webhook URL (…/api/webhooks/{id}/{token})');
  return { api: match[1]!, id: match[2]!, token: match[3]! };
}

/**
 * Executes the webhook with discord.js's `WebhookClient` (`wait=true`, so Discord returns
 * the message or the reason it refused). `@discordjs/rest` waits out 429s (`retry_after`)
 * and retries 5xx; Discord's 4xx surfaces as `platform_rejected` naming the field.
 */
export async function sendToDiscord(
  message: DiscordMessage,
  webhookUrl: string,
  options: DiscordSendOptions = {},
): Promise<DiscordSendResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const { api, id, token } = parseWebhookUrl(webhookUrl);
  const client = new WebhookClient({ id, token }, { rest: { api, retries: policy.retries, timeout: policy.timeoutMs } });
  try {
    const sent = await client.send({
      content: message.content,
      embeds: message.embeds,
      allowedMentions: message.allowed_mentions,
      username: message.username,
      avatarURL: message.avatar_url,
    });
    return { ok: true, messageId: sent.id, channelId: sent.channel_id };
  } catch (error) {
    if (error instanceof DiscordAPIError) {
      const retryable = error.status >= 500;
      throw new DeliveryError(
        retryable ? 'http_error' : 'platform_rejected',
        `Discord refused the message (${error.status}): ${error.message}`,
        {
          status: error.status,
          retryable,
        },
      );
    }
    if (error instanceof RateLimitError) {
      throw new DeliveryError('rate_limited', 'Discord rate limit', { status: 429, retryable: true, retryAfterMs: error.retryAfter });
    }
    if (error instanceof HTTPError) {
      throw new DeliveryError('http_error', `Discord answered ${error.status}`, { status: error.status, retryable: error.status >= 500 });
    }
    throw new DeliveryError('network_error', `Could not reach Discord: ${(error as Error).message}`, { retryable: true }, { cause: error });
  } finally {
    client.destroy();
  }
}
