import { WebhookVerificationError } from '../errors';
import type { SchemeHeaders, SignatureScheme } from './types';
import { hexDigest, hmacSha256, type Digest, matchesAny, requireHeader, requireSecrets, splitSignatures } from './hmac';

const PREFIX = 'sha256=';

export interface HexPrefixedOptions {
  /**
   * Also accept a signature over the compact re-serialisation of the JSON body
   * (`JSON.stringify(JSON.parse(body))`), tried only after the raw bytes failed. TrackScore's
   * webhook docs verify `JSON.stringify(req.body)`, so a sender built from them signs that,
   * not the bytes it puts on the wire (pretty-printed, or with `\u00e9` escapes).
   */
  reserialisedJson?: boolean;
}

/** The compact re-serialisation of a JSON body, or undefined when the body is not JSON. */
function compactJson(body: Uint8Array): Buffer | undefined {
  try {
    return Buffer.from(JSON.stringify(JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * `sha256=<hex HMAC-SHA256 of the raw body>`, as GitHub does: TrackScore and Trakkr.
 * No timestamp is signed.
 */
export function hexPrefixedScheme(headers: SchemeHeaders, options: HexPrefixedOptions = {}): SignatureScheme {
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
      // The raw bytes first: the re-serialised fallback costs nothing unless they fail.
      if (!matchesAny(candidates, secrets, [body])) {
        const compact = options.reserialisedJson ? compactJson(body) : undefined;
        if (compact && !compact.equals(body) && matchesAny(candidates, secrets, [compact])) return {};
        throw new WebhookVerificationError('signature_mismatch', `${headers.signature} does not match the body`);
      }
      return {};
    },
  };
}
