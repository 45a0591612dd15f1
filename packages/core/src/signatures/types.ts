import type { HeaderLookup } from '../headers';

/** Where a scheme finds its parts in the request. Names are matched case-insensitively. */
export interface SchemeHeaders {
  signature: string;
  timestamp?: string;
  id?: string;
}

export interface SignOptions {
  secret: string;
  /** Unix seconds; schemes that sign a timestamp default to now. */
  timestamp?: number;
  /** Message id, for schemes that sign one (Standard Webhooks); generated when absent. */
  id?: string;
}

export interface VerifyOptions {
  /** Every active secret: any one of them verifying is enough (rotation). */
  secrets: readonly string[];
  /** Allowed distance, in seconds, between a signed timestamp and `now`, both ways. */
  toleranceSeconds: number;
  /** Unix seconds. */
  now: number;
}

/** What a successful verification learnt from the headers. */
export interface VerifiedSignature {
  /** The signed timestamp, unix seconds, when the scheme signs one. */
  timestamp?: number;
  /** The signed message id, when the scheme signs one. */
  webhookId?: string;
}

export type SchemeName = 'hmac-sha256-hex' | 'hmac-sha256-base64' | 'timestamped' | 'standard-webhooks';

export interface SignatureScheme {
  readonly name: SchemeName;
  readonly headers: Readonly<SchemeHeaders>;
  /** Whether a timestamp is part of the signed content (and so checked against the tolerance). */
  readonly signsTimestamp: boolean;
  /** Returns the headers to send with `body`. */
  sign(body: Uint8Array, options: SignOptions): Record<string, string>;
  /** Throws `WebhookVerificationError` unless one of the secrets signed `body`. */
  verify(body: Uint8Array, headers: HeaderLookup, options: VerifyOptions): VerifiedSignature;
}
