import { createHmac, timingSafeEqual, type BinaryLike, type KeyObject } from 'node:crypto';
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

/**
 * Whether any secret's digest equals one of the candidate signatures. Every secret is
 * tried even after a match would be found, so timing does not reveal which one matched.
 */
export function matchesAny(
  candidates: readonly Uint8Array[],
  secrets: readonly (string | Uint8Array)[],
  parts: readonly (string | Uint8Array)[],
): boolean {
  let matched = false;
  for (const secret of secrets) {
    const expected = hmacSha256(secret, parts);
    for (const candidate of candidates) {
      if (safeEqual(expected, candidate)) matched = true;
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

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_SHA256 = /^[A-Za-z0-9_-]{43}$/;

/** Decodes a hex digest, or returns undefined when it is not 32 bytes of hex. */
export function decodeHexDigest(value: string): Buffer | undefined {
  if (value.length !== 64) return undefined;
  // Buffer.from stops at the first non-hex pair, so a full 32 bytes proves it was all hex.
  const digest = Buffer.from(value, 'hex');
  return digest.length === 32 ? digest : undefined;
}

/** Decodes a base64 or base64url digest, or returns undefined when it is not 32 bytes. */
export function decodeBase64Digest(value: string): Buffer | undefined {
  if (BASE64_SHA256.test(value)) return Buffer.from(value, 'base64');
  if (BASE64URL_SHA256.test(value)) return Buffer.from(value, 'base64url');
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
