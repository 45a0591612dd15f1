import { createHmac, createSecretKey, timingSafeEqual, type BinaryLike, type KeyObject } from 'node:crypto';
import { WebhookVerificationError } from '../errors';
import type { HeaderLookup } from '../headers';

/** HMAC-SHA256 over the concatenation of `parts`, without copying them together. */
export function hmacSha256(key: BinaryLike | KeyObject, parts: readonly (string | Uint8Array)[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** Constant-time equality that is also safe for buffers of different lengths. */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A signature from a header, normalised: lower-case hex, or canonical padded base64. */
export interface Digest {
  encoding: 'hex' | 'base64';
  value: string;
}

const keyObjects = new Map<string, KeyObject>();

/**
 * The secret as a KeyObject, built once: node re-derives a string key on every `createHmac`,
 * which at 1 KiB bodies costs as much as the rest of verification.
 */
export function hmacKey(secret: string | KeyObject): KeyObject {
  if (typeof secret !== 'string') return secret;
  let key = keyObjects.get(secret);
  if (!key) {
    // A handful of live secrets is the norm; the bound only guards against misuse.
    if (keyObjects.size >= 256) keyObjects.clear();
    keyObjects.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  }
  return key;
}

/**
 * Constant-time equality of two strings of the same public length (digests): every
 * character is compared whatever the earlier ones were, as stripe-node's secureCompare does.
 * Comparing the encoded digest spares decoding the header, the costliest step at small bodies.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Whether any secret's digest equals one of the candidate signatures. Every secret is
 * tried even after a match would be found, so timing does not reveal which one matched.
 */
export function matchesAny(
  candidates: readonly Digest[],
  secrets: readonly (string | KeyObject)[],
  parts: readonly (string | Uint8Array)[],
): boolean {
  let hex = false;
  let base64 = false;
  for (const c of candidates) {
    if (c.encoding === 'hex') hex = true;
    else base64 = true;
  }
  let matched = false;
  for (const secret of secrets) {
    const hmac = createHmac('sha256', hmacKey(secret));
    for (const part of parts) hmac.update(part);
    let expectedHex = '';
    let expectedBase64 = '';
    if (hex && base64) {
      const digest = hmac.digest();
      expectedHex = digest.toString('hex');
      expectedBase64 = digest.toString('base64');
    } else if (hex) expectedHex = hmac.digest('hex');
    else expectedBase64 = hmac.digest('base64');
    for (const c of candidates) {
      if (constantTimeEqual(c.value, c.encoding === 'hex' ? expectedHex : expectedBase64)) matched = true;
    }
  }
  return matched;
}

export function requireHeader(headers: HeaderLookup, name: string, code: 'missing_signature' | 'missing_timestamp'): string {
  let value = headers.get(name);
  if (value !== undefined && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32)) value = value.trim();
  if (value === undefined || value === '') {
    throw new WebhookVerificationError(code, `Missing ${name} header`);
  }
  return value;
}

export function requireSecrets<T>(secrets: readonly T[]): void {
  if (secrets.length === 0) {
    throw new WebhookVerificationError('missing_secret', 'No signing secret is configured for this source');
  }
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const MIXED_CASE_HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_SHA256 = /^[A-Za-z0-9_-]{43}$/;

/** A 64-character hex SHA-256 digest, lower-cased; undefined when it is not one. */
export function hexDigest(value: string): Digest | undefined {
  if (HEX_SHA256.test(value)) return { encoding: 'hex', value };
  return MIXED_CASE_HEX_SHA256.test(value) ? { encoding: 'hex', value: value.toLowerCase() } : undefined;
}

/** A base64 or base64url SHA-256 digest (padding optional), as canonical padded base64; undefined when it is not one. */
export function base64Digest(value: string): Digest | undefined {
  if (BASE64_SHA256.test(value)) return { encoding: 'base64', value: value.length === 43 ? value + '=' : value };
  if (BASE64URL_SHA256.test(value)) return { encoding: 'base64', value: value.replace(/-/g, '+').replace(/_/g, '/') + '=' };
  return undefined;
}

/** Splits a header carrying one or several signatures (providers send several during rotation). */
export function splitSignatures(value: string): string[] {
  return value.includes(',') || value.includes(' ') ? value.split(/[\s,]+/).filter(Boolean) : [value];
}

/**
 * Parses a unix timestamp header. Seconds are the norm; a 13-digit value is taken as
 * milliseconds, which some senders use.
 */
export function parseUnixTimestamp(raw: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const digit = raw.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || i >= 16) {
      throw new WebhookVerificationError('malformed_timestamp', 'Timestamp header is not a unix time');
    }
    n = n * 10 + digit;
  }
  return n >= 1e12 ? Math.floor(n / 1000) : n;
}

export function checkTolerance(timestamp: number, now: number, toleranceSeconds: number): void {
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    const direction = timestamp < now ? 'too old' : 'too far in the future';
    throw new WebhookVerificationError('timestamp_out_of_tolerance', `Timestamp is ${direction} (tolerance ${toleranceSeconds}s)`);
  }
}
