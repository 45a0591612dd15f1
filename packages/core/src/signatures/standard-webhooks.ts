import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { WebhookVerificationError } from '../errors';
import type { SchemeHeaders, SignatureScheme } from './types';
import {
  base64Digest,
  checkTolerance,
  hmacSha256,
  matchesAny,
  type Digest,
  parseUnixTimestamp,
  requireHeader,
  requireSecrets,
} from './hmac';

export const STANDARD_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const satisfies SchemeHeaders;

const SECRET_PREFIX = 'whsec_';

const keyCache = new Map<string, KeyObject>();

/** A Standard Webhooks secret as an HMAC key, decoded once. */
function standardKey(secret: string): KeyObject {
  const cached = keyCache.get(secret);
  if (cached) return cached;
  const key = createSecretKey(decodeSecret(secret));
  // A handful of live secrets is the norm; the bound only guards against misuse.
  if (keyCache.size >= 256) keyCache.clear();
  keyCache.set(secret, key);
  return key;
}

/** The key bytes of a Standard Webhooks secret (`whsec_` + base64; the prefix is optional). */
export function standardSecretKey(secret: string): Buffer {
  return standardKey(secret).export();
}

function decodeSecret(secret: string): Buffer {
  const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(base64, 'base64');
  if (key.length === 0) {
    throw new WebhookVerificationError('missing_secret', 'Standard Webhooks secret is not base64 (expected whsec_...)');
  }
  return key;
}

/** A fresh `whsec_` secret of 32 random bytes. */
export function generateStandardSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * Standard Webhooks v1: `webhook-signature: v1,<base64>` (space-separated list) over
 * `${id}.${timestamp}.${body}`, secrets `whsec_<base64>`. The generic scheme.
 */
export function standardWebhooksScheme(headers: SchemeHeaders = STANDARD_HEADERS): SignatureScheme {
  const idHeader = headers.id ?? STANDARD_HEADERS.id;
  const timestampHeader = headers.timestamp ?? STANDARD_HEADERS.timestamp;
  return {
    name: 'standard-webhooks',
    headers: { signature: headers.signature, timestamp: timestampHeader, id: idHeader },
    signsTimestamp: true,
    sign(body, { secret, timestamp = Math.floor(Date.now() / 1000), id = `msg_${randomBytes(12).toString('hex')}` }) {
      const ts = String(timestamp);
      const digest = hmacSha256(standardKey(secret), [`${id}.${ts}.`, body]).toString('base64');
      return { [idHeader]: id, [timestampHeader]: ts, [headers.signature]: `v1,${digest}` };
    },
    verify(body, lookup, { secrets, toleranceSeconds, now }) {
      const header = requireHeader(lookup, headers.signature, 'missing_signature');
      const id = requireHeader(lookup, idHeader, 'missing_signature');
      const rawTimestamp = requireHeader(lookup, timestampHeader, 'missing_timestamp');
      requireSecrets(secrets);
      const timestamp = parseUnixTimestamp(rawTimestamp);
      const candidates: Digest[] = [];
      let sawEntry = false;
      for (const entry of header.includes(' ') ? header.split(' ') : [header]) {
        if (entry === '') continue;
        const comma = entry.indexOf(',');
        if (comma < 0) throw new WebhookVerificationError('malformed_signature', `${headers.signature} entries must be "v1,<base64>"`);
        sawEntry = true;
        // Other versions (v1a: asymmetric) are skipped, as the spec asks.
        if (comma !== 2 || !entry.startsWith('v1')) continue;
        const digest = base64Digest(entry.slice(comma + 1));
        if (!digest)
          throw new WebhookVerificationError('malformed_signature', `${headers.signature} v1 value is not a base64 SHA-256 digest`);
        candidates.push(digest);
      }
      if (!sawEntry) throw new WebhookVerificationError('malformed_signature', `${headers.signature} is empty`);
      if (candidates.length === 0) {
        throw new WebhookVerificationError('unsupported_signature_version', `${headers.signature} has no v1 signature`);
      }
      const keys = secrets.map(standardKey);
      if (!matchesAny(candidates, keys, [`${id}.${rawTimestamp}.`, body])) {
        throw new WebhookVerificationError('signature_mismatch', `${headers.signature} does not match the message`);
      }
      checkTolerance(timestamp, now, toleranceSeconds);
      return { timestamp, webhookId: id };
    },
  };
}
