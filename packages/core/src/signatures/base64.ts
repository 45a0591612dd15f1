import { WebhookVerificationError } from '../errors';
import type { SchemeHeaders, SignatureScheme } from './types';
import { base64Digest, hmacSha256, matchesAny, requireHeader, requireSecrets, splitSignatures } from './hmac';

/** Bare base64 HMAC-SHA256 of the raw body, as Trophy sends it (Trophy's webhook docs). No timestamp. */
export function base64Scheme(headers: SchemeHeaders): SignatureScheme {
  return {
    name: 'hmac-sha256-base64',
    headers,
    signsTimestamp: false,
    sign(body, { secret }) {
      return { [headers.signature]: hmacSha256(secret, [body]).toString('base64') };
    },
    verify(body, lookup, { secrets }) {
      const header = requireHeader(lookup, headers.signature, 'missing_signature');
      requireSecrets(secrets);
      const candidates = splitSignatures(header).map((value) => {
        const digest = base64Digest(value);
        if (!digest) throw new WebhookVerificationError('malformed_signature', `${headers.signature} is not a base64 SHA-256 digest`);
        return digest;
      });
      if (!matchesAny(candidates, secrets, [body])) {
        throw new WebhookVerificationError('signature_mismatch', `${headers.signature} does not match the body`);
      }
      return {};
    },
  };
}
