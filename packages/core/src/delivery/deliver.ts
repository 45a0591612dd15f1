import { DeliveryError } from '../errors';
import type { SignatureScheme } from '../signatures/types';
import { sendOnce, type OutboundRequest, type SendOptions } from '../outbound/send';
import { authHeaders, type OutboundAuth } from './auth';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './policy';
import { withRetries, type AttemptLog, type RetryHooks } from './retry';

export interface DeliverOptions extends RetryHooks, Omit<SendOptions, 'timeoutMs'> {
  policy?: Partial<RetryPolicy>;
  auth?: OutboundAuth;
  /** Sign the body as a provider would (the emulator, or relaying to another Hookbridge). */
  sign?: { scheme: SignatureScheme; secret: string };
}

export interface DeliveryResult {
  ok: boolean;
  status?: number;
  /** The last response body, cut to 2 KiB, for logs. */
  responseBody?: string;
  attempts: AttemptLog[];
  error?: DeliveryError;
}

/**
 * Sends one request through the outbound layer with the retry policy (3 retries after 1 s,
 * 2 s, 4 s by default; 5xx, 408 and timeouts retry; 429 waits Retry-After; other 4xx are final).
 * Never throws for a failed delivery: the result carries the error and every attempt.
 */
export async function deliver(request: OutboundRequest, options: DeliverOptions = {}): Promise<DeliveryResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  // Encode once, so a signature covers exactly the bytes sent.
  const json = typeof request.body === 'object' && !(request.body instanceof Uint8Array);
  const body = json ? JSON.stringify(request.body) : (request.body as string | Uint8Array | undefined);
  const signature =
    options.sign && body !== undefined
      ? options.sign.scheme.sign(typeof body === 'string' ? Buffer.from(body) : body, { secret: options.sign.secret })
      : {};
  const outbound: OutboundRequest = {
    ...request,
    body,
    headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...request.headers, ...authHeaders(options.auth), ...signature },
  };
  let last: { status: number; body: string } | undefined;
  const outcome = await withRetries(
    async () => {
      const response = await sendOnce(outbound, {
        ...options,
        timeoutMs: policy.timeoutMs,
        interpret: (answer) => {
          // Kept for the result whatever it says: a refusal's body is what explains it.
          last = { status: answer.status, body: answer.body.slice(0, 2048) };
          return options.interpret?.(answer);
        },
      });
      return { value: undefined, status: response.status };
    },
    policy,
    options,
  );
  return { ok: !outcome.error, status: last?.status, responseBody: last?.body, attempts: outcome.attempts, error: outcome.error };
}
