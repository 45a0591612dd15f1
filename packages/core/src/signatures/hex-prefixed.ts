import { WebhookVerificationError } from '../errors';
import type { SchemeHeaders, SignatureScheme } from './types';
import { hexDigest, hmacSha256, type Digest, matchesAny, requireHeader, requireSecrets, splitSignatures } from './hmac';

const PREFIX = 'sha256=';

/**
 * `sha256=<hex HMAC-SHA256 of the raw body>`, as GitHub does: TrackScore (seed 000) and
 * Trakkr (seed 001). No timestamp is signed.
 */
export function hexPrefixedScheme(headers: SchemeHeaders): SignatureScheme {
  return {
    name: 'hmac-sha256-hex',
    headers,
    signsTimestamp: false,
    sign(body, { secret }) {
      return { [headers.signature]: PREFIX + hmacSha256(secret, [body]).toString('hex') };
    },
    verify(body, lookup, { secrets }) {
      const header = requireHeader(lookup, headers.signature, 'missing_signature');
      requireSecrets(secrets);
      const candidates: Digest[] = [];
      for (const value of splitSignatures(header)) {
        const eq = value.indexOf('=');
        if (eq < 0) throw new WebhookVerificationError('malformed_signature', `${headers.signature} lacks the sha256= prefix`);
        const algorithm = value.slice(0, eq).toLowerCase();
        if (algorithm !== 'sha256') {
          throw new WebhookVerificationError(
            'unsupported_signature_version',
            `${headers.signature} uses unsupported algorithm "${algorithm.slice(0, 16)}"`,
          );
        }
        const digest = hexDigest(value.slice(eq + 1));
        if (!digest) throw new WebhookVerificationError('malformed_signature', `${headers.signature} is not a 64-character hex digest`);
        candidates.push(digest);
      }
      if (!matchesAny(candidates, secrets, [body])) {
        throw new WebhookVerificationError('signature_mismatch', `${headers.signature} does not match the body`);
      }
      return {};
    },
  };
}
