import { base64Scheme } from './base64';
import { hexPrefixedScheme } from './hex-prefixed';
import { standardWebhooksScheme } from './standard-webhooks';
import { timestampedScheme } from './timestamped';
import type { SchemeHeaders, SchemeName, SignatureScheme } from './types';

export type { SchemeHeaders, SchemeName, SignatureScheme, SignOptions, VerifyOptions, VerifiedSignature } from './types';
export { base64Scheme, hexPrefixedScheme, standardWebhooksScheme, timestampedScheme };
export { STANDARD_HEADERS, generateStandardSecret, standardSecretKey } from './standard-webhooks';
export { safeEqual, hmacSha256 } from './hmac';

export const SCHEME_NAMES: readonly SchemeName[] = ['hmac-sha256-hex', 'hmac-sha256-base64', 'timestamped', 'standard-webhooks'];

/** Builds a scheme by name, e.g. for a generic provider configured in YAML or an n8n field. */
export function createScheme(name: SchemeName, headers: SchemeHeaders): SignatureScheme {
  switch (name) {
    case 'hmac-sha256-hex':
      return hexPrefixedScheme(headers);
    case 'hmac-sha256-base64':
      return base64Scheme(headers);
    case 'timestamped':
      return timestampedScheme({ ...headers, timestamp: headers.timestamp ?? 'x-webhook-timestamp' });
    case 'standard-webhooks':
      return standardWebhooksScheme(headers);
  }
}

export function isSchemeName(value: string): value is SchemeName {
  return (SCHEME_NAMES as readonly string[]).includes(value);
}
