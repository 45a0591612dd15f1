import { WebhookVerificationError } from '../errors';
import type { SchemeHeaders, SignatureScheme } from './types';
import {
  checkTolerance,
  base64Digest,
  hexDigest,
  hmacSha256,
  matchesAny,
  parseUnixTimestamp,
  requireHeader,
  requireSecrets,
  splitSignatures,
  type Digest,
} from './hmac';

export interface TimestampedOptions {
  /** Encoding `sign` produces. Verification accepts both, since Trackpilots' webhook docs do not fix one. */
  encoding?: 'hex' | 'base64';
}

/**
 * HMAC-SHA256 over `timestamp + "." + body`, timestamp in its own header: Trackpilots
 * (Trackpilots' webhook docs). The timestamp is signed exactly as the header spells it.
 */
export function timestampedScheme(
  headers: SchemeHeaders & { timestamp: string },
  { encoding = 'hex' }: TimestampedOptions = {},
): SignatureScheme {
  return {
    name: 'timestamped',
    headers,
    signsTimestamp: true,
    sign(body, { secret, timestamp = Math.floor(Date.now() / 1000) }) {
      const ts = String(timestamp);
      return {
        [headers.timestamp]: ts,
        [headers.signature]: hmacSha256(secret, [ts + '.', body]).toString(encoding),
      };
    },
    verify(body, lookup, { secrets, toleranceSeconds, now }) {
      const header = requireHeader(lookup, headers.signature, 'missing_signature');
      const rawTimestamp = requireHeader(lookup, headers.timestamp, 'missing_timestamp');
      requireSecrets(secrets);
      const timestamp = parseUnixTimestamp(rawTimestamp);
      const candidates: Digest[] = [];
      for (const value of splitSignatures(header)) {
        // Tolerate a `sha256=` or `v1=` label some senders put in front (base64 '=' only pads the end).
        const eq = value.indexOf('=');
        const bare = eq === 6 || eq === 2 ? value.slice(eq + 1) : value;
        const digest = hexDigest(bare) ?? base64Digest(bare);
        if (!digest)
          throw new WebhookVerificationError('malformed_signature', `${headers.signature} is neither a hex nor a base64 SHA-256 digest`);
        candidates.push(digest);
      }
      if (!matchesAny(candidates, secrets, [rawTimestamp + '.', body])) {
        throw new WebhookVerificationError('signature_mismatch', `${headers.signature} does not match the timestamp and body`);
      }
      // Checked after the signature so an attacker learns nothing about the window.
      checkTolerance(timestamp, now, toleranceSeconds);
      return { timestamp };
    },
  };
}
