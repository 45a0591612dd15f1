import { Agent, request as httpRequest, type Dispatcher } from 'undici';
import { DeliveryError } from '../errors';
import type { SignatureScheme } from '../signatures/types';
import { authHeaders, type OutboundAuth } from './auth';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './policy';
import { withRetries, type AttemptLog, type RetryHooks } from './retry';
import { checkUrl, guardedLookup, type DestinationGuard } from './ssrf';
import { timeoutSignal } from './timeout';

export interface OutboundRequest {
  url: string;
  method?: 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE';
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: string | Uint8Array | object;
}

export interface DeliverOptions extends RetryHooks {
  policy?: Partial<RetryPolicy>;
  auth?: OutboundAuth;
  /** Sign the body as a provider would (the emulator, or relaying to another Hookbridge). */
  sign?: { scheme: SignatureScheme; secret: string };
  guard?: DestinationGuard;
  /** Turns a 2xx answer into an error when the platform reports failure inside it (Teams). */
  inspect?: (status: number, body: string) => DeliveryError | undefined;
}

export interface DeliveryResult {
  ok: boolean;
  status?: number;
  /** The last response body, cut to 2 KiB, for logs. */
  responseBody?: string;
  attempts: AttemptLog[];
  error?: DeliveryError;
}

const agents = new Map<string, Dispatcher>();
/** URLs already checked against a guard (a route's destination is checked once, not per delivery). */
const checkedUrls = new Map<string, URL>();

const guardKeys = new WeakMap<DestinationGuard, string>();
/** Guards are usually one object per route: its key is computed once. */
function keyOf(guard: DestinationGuard): string {
  let key = guardKeys.get(guard);
  if (key === undefined) guardKeys.set(guard, (key = JSON.stringify(guard)));
  return key;
}

function agentFor(guard: DestinationGuard): Dispatcher {
  const key = keyOf(guard);
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(guard) as never }, keepAliveTimeout: 10_000 });
    agents.set(key, agent);
  }
  return agent;
}

function encode(body: OutboundRequest['body']): { bytes?: Buffer; json: boolean } {
  if (body === undefined) return { json: false };
  if (typeof body === 'string') return { bytes: Buffer.from(body), json: false };
  if (body instanceof Uint8Array) return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength), json: false };
  return { bytes: Buffer.from(JSON.stringify(body)), json: true };
}

/** The error and its causes, outermost first (undici wraps connection errors). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/**
 * Sends one request with the retry policy (seed 001 by default: 3 retries after 1 s,
 * 2 s, 4 s; 5xx, 408 and timeouts retry; 429 waits Retry-After; other 4xx are final).
 * Never throws for a failed delivery: the result carries the error and every attempt.
 */
export async function deliver(request: OutboundRequest, options: DeliverOptions = {}): Promise<DeliveryResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const guard = options.guard ?? {};
  let url: URL;
  const checkKey = `${keyOf(guard)} ${request.url}`;
  try {
    url = checkedUrls.get(checkKey) ?? checkUrl(request.url, guard);
  } catch (error) {
    return { ok: false, attempts: [], error: error as DeliveryError };
  }
  if (!checkedUrls.has(checkKey)) {
    if (checkedUrls.size >= 1000) checkedUrls.clear();
    checkedUrls.set(checkKey, url);
  }
  const { bytes, json } = encode(request.body);
  const headers: Record<string, string> = {
    'user-agent': 'Hookbridge/0.1 (+https://github.com/hookbridge)',
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...request.headers,
    ...authHeaders(options.auth),
    ...(options.sign && bytes ? options.sign.scheme.sign(bytes, { secret: options.sign.secret }) : {}),
  };
  let last: { status: number; body: string } | undefined;

  const outcome = await withRetries(
    async () => {
      const timeout = timeoutSignal(policy.timeoutMs);
      try {
        let response: Dispatcher.ResponseData;
        try {
          response = await httpRequest(url, {
            method: request.method ?? 'POST',
            headers,
            body: bytes,
            dispatcher: agentFor(guard),
            // Not undici's headersTimeout (its timers tick every ~500 ms) nor AbortSignal.timeout (costly per call).
            signal: timeout.signal,
          });
        } catch (error) {
          const chain = causes(error);
          const refused = chain.find((e) => e instanceof DeliveryError);
          if (refused) throw refused;
          const code = chain.map((e) => (e as { code?: string }).code).find(Boolean);
          const name = (error as Error).name;
          if (name === 'TimeoutError' || name === 'AbortError' || code?.includes('TIMEOUT')) {
            throw new DeliveryError('timeout', `No answer within ${policy.timeoutMs} ms`, { retryable: true }, { cause: error });
          }
          throw new DeliveryError(
            'network_error',
            `Could not reach ${url.host}: ${code ?? (error as Error).message}`,
            { retryable: true },
            { cause: error },
          );
        }
        const text = (await response.body.text()).slice(0, 2048);
        last = { status: response.statusCode, body: text };
        const status = response.statusCode;
        if (status >= 200 && status < 300) {
          const problem = options.inspect?.(status, text);
          if (problem) throw problem;
          return { value: undefined, status };
        }
        const retryAfter = response.headers['retry-after'];
        throw new DeliveryError(status === 429 ? 'rate_limited' : 'http_error', `${url.host} answered ${status}`, {
          status,
          retryable: isRetryableStatus(status),
          retryAfterMs:
            status === 429 || status === 503 ? parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) : undefined,
        });
      } finally {
        timeout.clear();
      }
    },
    policy,
    options,
  );
  return { ok: !outcome.error, status: last?.status, responseBody: last?.body, attempts: outcome.attempts, error: outcome.error };
}
