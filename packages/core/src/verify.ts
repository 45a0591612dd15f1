import { createHash } from 'node:crypto';
import { WebhookVerificationError } from './errors';
import type { HookEvent } from './event';
import { headerLookup, type HeadersInput } from './headers';
import { resolveProvider, type GenericProviderConfig, type ProviderProfile } from './providers';

export const DEFAULT_TOLERANCE_SECONDS = 300;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookRequest {
  headers: HeadersInput;
  /** The body exactly as received. Never re-serialised JSON: one changed byte breaks the signature. */
  rawBody: Uint8Array | string;
}

export interface VerifyWebhookOptions {
  provider: string | ProviderProfile | GenericProviderConfig;
  /** One secret, or several during rotation: any of them verifying is enough. */
  secrets: string | readonly string[];
  /** Seconds a signed timestamp may differ from now, either way. Default 300. */
  toleranceSeconds?: number;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /** Clock override for tests, unix seconds. */
  now?: number;
  /**
   * What to do with a correctly signed event whose type is outside the provider's catalogue.
   * `accept` (default): providers add events over time (TrackScore lists some as planned,
   * Trackpilots says more are coming), and a 4xx would make them retry and then disable the
   * endpoint. `reject` throws `unknown_event` (422), for handlers that want a closed list.
   */
  unknownEvents?: 'reject' | 'accept';
}

/** `sha256` of the body, for providers whose payload carries no id (Trophy). Stable across retries. */
export function bodyFingerprint(body: Uint8Array): string {
  return 'sha256_' + createHash('sha256').update(body).digest('hex').slice(0, 40);
}

function toBuffer(body: Uint8Array | string): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * Verifies a webhook request against its provider's scheme and returns the canonical
 * event, or throws `WebhookVerificationError` with a stable `code` and an HTTP `status`.
 */
export function verifyWebhook(request: WebhookRequest, options: VerifyWebhookOptions): HookEvent {
  const profile = resolveProvider(options.provider);
  const body = toBuffer(request.rawBody);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (body.length > maxBodyBytes) {
    throw new WebhookVerificationError('body_too_large', `Body is ${body.length} bytes; the limit is ${maxBodyBytes}`);
  }
  if (body.length === 0) throw new WebhookVerificationError('empty_body', 'Body is empty');

  const now = options.now ?? Math.floor(Date.now() / 1000);
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets;
  const verified = profile.scheme.verify(body, headerLookup(request.headers), {
    secrets,
    toleranceSeconds: options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
    now,
  });

  return toHookEvent(profile, body, parseJsonBody(body), { verified, now }, options.unknownEvents ?? 'accept');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses a verified body as UTF-8 JSON, with typed errors for each way it can be wrong. */
export function parseJsonBody(body: Uint8Array): unknown {
  let text: string;
  try {
    // One pass that validates and decodes (faster than isUtf8 + toString, and needs no node:buffer).
    text = utf8.decode(body);
  } catch {
    throw new WebhookVerificationError('invalid_encoding', 'Body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WebhookVerificationError('invalid_json', `Body is not valid JSON: ${(cause as Error).message.slice(0, 120)}`, { cause });
  }
}

function toHookEvent(
  profile: ProviderProfile,
  body: Buffer,
  payload: unknown,
  context: Parameters<ProviderProfile['extract']>[1],
  unknownEvents: 'reject' | 'accept',
): HookEvent {
  if (payload === null || typeof payload !== 'object') {
    throw new WebhookVerificationError('invalid_payload', 'Body must be a JSON object');
  }
  const extracted = profile.extract(payload, context);
  if (!extracted.type) {
    throw new WebhookVerificationError('invalid_payload', `${profile.name} payload has no event type`);
  }
  if (unknownEvents === 'reject' && profile.events.length > 0 && !profile.events.some((e) => e.type === extracted.type)) {
    throw new WebhookVerificationError('unknown_event', `"${extracted.type.slice(0, 64)}" is not a ${profile.name} event`);
  }
  const event: HookEvent = {
    id: extracted.id ?? bodyFingerprint(body),
    provider: profile.id,
    type: extracted.type,
    occurredAt: extracted.occurredAt ?? new Date(context.now * 1000).toISOString(),
    data: extracted.data,
    raw: payload,
  };
  if (extracted.summary !== undefined) event.summary = extracted.summary;
  if (extracted.subject !== undefined) event.subject = extracted.subject;
  if (extracted.brand !== undefined) event.brand = extracted.brand;
  if (extracted.workflow !== undefined) event.workflow = extracted.workflow;
  return event;
}

/** Builds the canonical event from an already-trusted payload (samples, replays, the emulator). */
export function eventFromPayload(
  provider: string | ProviderProfile,
  payload: unknown,
  options: { now?: number; webhookId?: string } = {},
): HookEvent {
  const profile = resolveProvider(provider);
  const body = Buffer.from(JSON.stringify(payload));
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return toHookEvent(profile, body, payload, { verified: { webhookId: options.webhookId, timestamp: now }, now }, 'accept');
}
