/**
 * Typed errors with stable codes. Connectors map `code` to their platform's error and
 * `status` to an HTTP answer. Messages name the field at fault, never a secret or the
 * expected signature.
 */

export type VerificationErrorCode =
  | 'missing_signature'
  | 'malformed_signature'
  | 'unsupported_signature_version'
  | 'signature_mismatch'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'timestamp_out_of_tolerance'
  | 'missing_secret'
  | 'empty_body'
  | 'body_too_large'
  | 'invalid_encoding'
  | 'invalid_json'
  | 'invalid_payload'
  | 'unknown_event'
  | 'unknown_provider';

const verificationStatus: Record<VerificationErrorCode, number> = {
  missing_signature: 401,
  malformed_signature: 401,
  unsupported_signature_version: 401,
  signature_mismatch: 401,
  missing_timestamp: 401,
  malformed_timestamp: 401,
  timestamp_out_of_tolerance: 401,
  missing_secret: 500,
  empty_body: 400,
  body_too_large: 413,
  invalid_encoding: 400,
  invalid_json: 400,
  invalid_payload: 400,
  unknown_event: 422,
  unknown_provider: 500,
};

/** Base class so callers can catch every Hookbridge error at once. */
export class HookbridgeError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class WebhookVerificationError extends HookbridgeError<VerificationErrorCode> {
  /** The HTTP status a receiver should answer with. */
  readonly status: number;
  constructor(code: VerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = verificationStatus[code];
  }
}

export type TemplateErrorCode = 'template_syntax' | 'template_render' | 'template_output_too_large';

export class TemplateError extends HookbridgeError<TemplateErrorCode> {
  /** 1-based line and column of the problem in the template source, when known. */
  readonly line?: number;
  readonly column?: number;
  /** For JSON templates: the path of the leaf that failed, e.g. `blocks[0].text`. */
  readonly path?: string;
  constructor(
    code: TemplateErrorCode,
    message: string,
    where: { line?: number; column?: number; path?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.line = where.line;
    this.column = where.column;
    this.path = where.path;
  }
}

export type DeliveryErrorCode =
  | 'destination_refused'
  | 'invalid_destination'
  | 'timeout'
  | 'network_error'
  | 'http_error'
  | 'rate_limited'
  | 'retries_exhausted'
  | 'platform_rejected'
  | 'message_too_large'
  | 'template_failed';

export class DeliveryError extends HookbridgeError<DeliveryErrorCode> {
  /** HTTP status of the last response, when there was one. */
  readonly status?: number;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
  /** Milliseconds the destination asked us to wait (429 Retry-After), when it did. */
  readonly retryAfterMs?: number;
  /** The request certainly never reached the server (refused connection, unknown host): safe to send again. */
  readonly notSent: boolean;
  constructor(
    code: DeliveryErrorCode,
    message: string,
    details: { status?: number; retryable?: boolean; retryAfterMs?: number; notSent?: boolean } = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.status = details.status;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.notSent = details.notSent ?? false;
  }
}

export type SubscriptionErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'validation_failed'
  | 'rate_limited'
  | 'server_error'
  | 'network_error'
  | 'manual_subscription'
  | 'invalid_response';

export class SubscriptionError extends HookbridgeError<SubscriptionErrorCode> {
  readonly status?: number;
  constructor(code: SubscriptionErrorCode, message: string, status?: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}
