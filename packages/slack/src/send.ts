import {
  deliver,
  DeliveryError,
  type AttemptLog,
  type DeliverOptions,
  type DeliveryResult,
  type HttpResponse,
  type RetryPolicy,
} from '@hookbridge/core/pure';
import type { SlackMessage } from './format';

export interface SlackSendResult {
  ok: true;
  channel?: string;
  ts?: string;
  attempts: AttemptLog[];
}

/** How a Slack message is sent: core's outbound layer (address policy, timeout, retries), or a host's transport. */
export type SlackSendOptions = Omit<DeliverOptions, 'interpret' | 'auth' | 'sign'>;

export interface BotSendOptions extends SlackSendOptions {
  token: string;
  channel: string;
  /** Point the client elsewhere (tests, GovSlack). Default https://slack.com/api/. */
  slackApiUrl?: string;
  /** Per attempt; the same as `policy.timeoutMs`. */
  timeoutMs?: number;
}

/** Names the field Slack rejected, from `response_metadata.messages` ("… [json-pointer:/blocks/0/text]"). */
function rejectedField(messages: readonly string[] | undefined): string {
  const pointer = messages?.map((m) => /json-pointer:([^\]]+)/.exec(m)?.[1]).find(Boolean);
  return pointer ? ` at ${pointer}` : '';
}

interface SlackApiAnswer {
  ok?: boolean;
  error?: string;
  channel?: string;
  ts?: string;
  response_metadata?: { messages?: string[] };
}

function parseAnswer(body: string): SlackApiAnswer | undefined {
  try {
    return JSON.parse(body) as SlackApiAnswer;
  } catch {
    return undefined;
  }
}

/**
 * Slack's Web API answers 200 with `ok: false` when it refuses a call: that is final and
 * named (`invalid_auth`, `channel_not_found`, `invalid_blocks at /blocks/0/text`). 429 waits
 * Retry-After and 5xx retries, through core's policy.
 */
export function interpretSlackApiAnswer(response: HttpResponse): DeliveryError | undefined {
  if (response.status !== 200) return undefined;
  const answer = parseAnswer(response.body);
  if (answer?.ok === true) return undefined;
  const reason = answer?.error ?? 'unreadable_answer';
  if (reason === 'ratelimited') return undefined;
  return new DeliveryError(
    'platform_rejected',
    `Slack rejected the message: ${reason}${rejectedField(answer?.response_metadata?.messages)}`,
    {
      status: 200,
      retryable: false,
    },
  );
}

/** An incoming webhook answers 4xx with a short reason in plain text (`invalid_blocks`, `no_text`, `channel_is_archived`). */
export function interpretSlackWebhookAnswer(response: HttpResponse): DeliveryError | undefined {
  const { status } = response;
  if (status < 400 || status >= 500 || status === 408 || status === 429) return undefined;
  return new DeliveryError('platform_rejected', `Slack webhook answered ${status}: ${response.body.slice(0, 200)}`, {
    status,
    retryable: false,
  });
}

function policyOf(options: SlackSendOptions & { timeoutMs?: number }): Partial<RetryPolicy> | undefined {
  return options.timeoutMs === undefined ? options.policy : { ...options.policy, timeoutMs: options.timeoutMs };
}

function sent(result: DeliveryResult): DeliveryResult & { ok: true } {
  if (!result.ok) throw result.error!;
  return result as DeliveryResult & { ok: true };
}

/** `chat.postMessage` with a bot token, through the outbound layer. Throws a `DeliveryError` when Slack refuses. */
export async function sendWithBot(message: SlackMessage, options: BotSendOptions): Promise<SlackSendResult> {
  const { token, channel, slackApiUrl = 'https://slack.com/api/', ...rest } = options;
  const base = slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/`;
  const result = sent(
    await deliver(
      { url: `${base}chat.postMessage`, body: { channel, ...message }, headers: { 'content-type': 'application/json; charset=utf-8' } },
      { ...rest, policy: policyOf(options), auth: { type: 'bearer', token }, interpret: interpretSlackApiAnswer },
    ),
  );
  const answer = parseAnswer(result.responseBody ?? '');
  return { ok: true, channel: answer?.channel, ts: answer?.ts, attempts: result.attempts };
}

export interface WebhookSendOptions extends SlackSendOptions {
  timeoutMs?: number;
}

/** An incoming-webhook post through the outbound layer: 429 waits Retry-After, 5xx retries, 4xx is final and says why. */
export async function sendWithWebhook(message: SlackMessage, url: string, options: WebhookSendOptions = {}): Promise<SlackSendResult> {
  const result = sent(
    await deliver({ url, body: message }, { ...options, policy: policyOf(options), interpret: interpretSlackWebhookAnswer }),
  );
  return { ok: true, attempts: result.attempts };
}
