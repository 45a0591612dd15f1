import { WebClient, ErrorCode as WebErrorCode, type WebAPICallError } from '@slack/web-api';
import { IncomingWebhook, IncomingWebhookHTTPError, type IncomingWebhookDefaultArguments } from '@slack/webhook';

type FetchFunction = NonNullable<IncomingWebhookDefaultArguments['fetch']>;
type FetchResponse = Awaited<ReturnType<FetchFunction>>;
import {
  DeliveryError,
  parseRetryAfter,
  withRetries,
  DEFAULT_RETRY_POLICY,
  type RetryHooks,
  type RetryPolicy,
  type AttemptLog,
} from '@hookbridge/core';
import type { SlackMessage } from './format';

export interface SlackSendResult {
  ok: true;
  channel?: string;
  ts?: string;
  attempts: AttemptLog[];
}

export interface BotSendOptions {
  token: string;
  channel: string;
  /** Point the client elsewhere (tests, Slack GovSlack). Default https://slack.com/api/. */
  slackApiUrl?: string;
  policy?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

/** Names the field Slack rejected, from `response_metadata.messages` ("… [json-pointer:/blocks/0/text]"). */
function rejectedField(messages: readonly string[] | undefined): string {
  const pointer = messages?.map((m) => /json-pointer:([^\]]+)/.exec(m)?.[1]).find(Boolean);
  return pointer ? ` at ${pointer}` : '';
}

/**
 * `chat.postMessage` with a bot token. `@slack/web-api` itself waits out 429s (Retry-After)
 * and retries 5xx/network errors with backoff; Slack's answer `ok: false` is final and
 * surfaces as `platform_rejected`, naming the error and the field.
 */
export async function sendWithBot(message: SlackMessage, options: BotSendOptions): Promise<SlackSendResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const attempts: AttemptLog[] = [];
  const client = new WebClient(options.token, {
    slackApiUrl: options.slackApiUrl,
    timeout: options.timeoutMs ?? policy.timeoutMs,
    retryConfig: { retries: policy.retries, factor: 2, minTimeout: policy.delaysMs[0] ?? 1000, randomize: policy.jitter > 0 },
    rejectRateLimitedCalls: false,
  });
  const started = Date.now();
  try {
    const response = await client.chat.postMessage({ channel: options.channel, ...message });
    attempts.push({ attempt: 1, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, status: 200 });
    return { ok: true, channel: response.channel, ts: response.ts, attempts };
  } catch (raw) {
    const error = raw as WebAPICallError & { data?: { error?: string; response_metadata?: { messages?: string[] } }; retryAfter?: number };
    if (error.code === WebErrorCode.PlatformError) {
      const slackError = error.data?.error ?? 'unknown_error';
      throw new DeliveryError(
        'platform_rejected',
        `Slack rejected the message: ${slackError}${rejectedField(error.data?.response_metadata?.messages)}`,
        {
          retryable: false,
        },
      );
    }
    if (error.code === WebErrorCode.RateLimitedError) {
      throw new DeliveryError('rate_limited', 'Slack rate limit', {
        status: 429,
        retryable: true,
        retryAfterMs: (error.retryAfter ?? 1) * 1000,
      });
    }
    if (error.code === WebErrorCode.HTTPError) {
      const status = (error as { statusCode?: number }).statusCode;
      throw new DeliveryError('http_error', `Slack answered ${status}`, { status, retryable: status !== undefined && status >= 500 });
    }
    throw new DeliveryError('network_error', `Could not reach Slack: ${error.message}`, { retryable: true }, { cause: error });
  }
}

export interface WebhookSendOptions extends RetryHooks {
  policy?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

/**
 * An incoming-webhook post. `@slack/webhook` fails a 429 at once and does not expose
 * Retry-After, so it gets a fetch that remembers the header and our retry loop around it.
 */
export async function sendWithWebhook(message: SlackMessage, url: string, options: WebhookSendOptions = {}): Promise<SlackSendResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  let lastResponse: FetchResponse | undefined;
  const recordingFetch: FetchFunction = async (input, init) => {
    lastResponse = (await fetch(input, init as RequestInit)) as unknown as FetchResponse;
    return lastResponse;
  };
  const webhook = new IncomingWebhook(url, {
    fetch: recordingFetch,
    timeout: options.timeoutMs ?? policy.timeoutMs,
    retryConfig: { retries: 0 },
  });
  const outcome = await withRetries(
    async () => {
      try {
        await webhook.send(message);
        return { value: undefined, status: lastResponse?.status };
      } catch (error) {
        if (error instanceof IncomingWebhookHTTPError) {
          const status = error.statusCode;
          throw new DeliveryError(
            status === 429 ? 'rate_limited' : status >= 500 ? 'http_error' : 'platform_rejected',
            `Slack webhook answered ${status}${error.body ? `: ${error.body.slice(0, 200)}` : ''}`,
            {
              status,
              retryable: status === 429 || status >= 500,
              retryAfterMs: status === 429 ? parseRetryAfter(lastResponse?.headers.get('retry-after')) : undefined,
            },
          );
        }
        throw new DeliveryError(
          'network_error',
          `Could not reach the Slack webhook: ${(error as Error).message}`,
          { retryable: true },
          { cause: error },
        );
      }
    },
    policy,
    options,
  );
  if (outcome.error) throw outcome.error;
  return { ok: true, attempts: outcome.attempts };
}
