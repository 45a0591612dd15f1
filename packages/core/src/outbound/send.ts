import { DeliveryError } from '../errors';
import { isRetryableStatus, parseRetryAfter } from '../delivery/policy';
import { checkUrl, type DestinationGuard } from './address-policy';
import { defaultTransport as runtimeTransport } from '../runtime';
import type { HttpRequest, HttpResponse, HttpTransport } from './transport';

export interface OutboundRequest {
  url: string;
  method?: HttpRequest['method'];
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: string | Uint8Array | object;
}

export interface SendOptions {
  /** The address policy. Default: public addresses over HTTPS only. */
  guard?: DestinationGuard;
  /**
   * Who sends the bytes. Default: `nodeTransport(guard)`, which also checks the resolved
   * addresses at connect time. A host's transport (n8n, Zapier) applies the host's own network rules.
   */
  transport?: HttpTransport;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /**
   * Reads a platform's answer: an error for failures hidden in a 2xx (Teams, Slack's `ok: false`)
   * or a better-named one for a 4xx. Undefined falls back to the status: non-2xx is an error.
   */
  interpret?: (response: HttpResponse) => DeliveryError | undefined;
  /** Which statuses are answers rather than errors. Default: 2xx. */
  answered?: (status: number) => boolean;
}

export const USER_AGENT = 'Hookbridge/0.1 (+https://github.com/hookbridge)';

/** The typed error for a non-2xx answer: 408/429/5xx retryable, 429 and 503 with their Retry-After. */
export function statusError(response: HttpResponse, host: string): DeliveryError {
  const { status } = response;
  return new DeliveryError(status === 429 ? 'rate_limited' : 'http_error', `${host} answered ${status}`, {
    status,
    retryable: isRetryableStatus(status),
    retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after']) : undefined,
  });
}

function encode(body: OutboundRequest['body']): { bytes?: string | Uint8Array; json: boolean } {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return { bytes: body, json: false };
  return { bytes: JSON.stringify(body), json: true };
}

/** URLs already checked, per guard object: a route's destination is checked once, not per delivery (no key to build). */
const checked = new WeakMap<DestinationGuard, Map<string, URL>>();
const transports = new WeakMap<DestinationGuard, HttpTransport>();
const NO_GUARD: DestinationGuard = Object.freeze({});

function checkedUrl(rawUrl: string, guard: DestinationGuard): URL {
  let urls = checked.get(guard);
  if (!urls) checked.set(guard, (urls = new Map()));
  let url = urls.get(rawUrl);
  if (!url) {
    url = checkUrl(rawUrl, guard);
    if (urls.size >= 1000) urls.clear();
    urls.set(rawUrl, url);
  }
  return url;
}

function defaultTransport(guard: DestinationGuard): HttpTransport {
  let transport = transports.get(guard);
  if (!transport) transports.set(guard, (transport = runtimeTransport(guard)));
  return transport;
}

/**
 * The one way out: every sender, failure notice and REST-hook call goes through here.
 * Checks the URL against the address policy (scheme, literal addresses) before anything is
 * sent, makes one attempt through the transport and returns the answer, or throws a typed
 * `DeliveryError` whose message names the host and status, never a header, token or body sent.
 */
export async function sendOnce(request: OutboundRequest, options: SendOptions = {}): Promise<HttpResponse> {
  const guard = options.guard ?? NO_GUARD;
  const url = checkedUrl(request.url, guard);
  const { bytes, json } = encode(request.body);
  const transport = options.transport ?? defaultTransport(guard);
  let response: HttpResponse;
  try {
    response = await transport({
      method: request.method ?? 'POST',
      url: url.href,
      headers: { 'user-agent': USER_AGENT, ...(json ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: bytes,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    throw new DeliveryError(
      'network_error',
      `Could not reach ${url.host}: ${(error as Error)?.message ?? String(error)}`,
      { retryable: true },
      { cause: error },
    );
  }
  const problem = options.interpret?.(response);
  if (problem) throw problem;
  const answered = options.answered ? options.answered(response.status) : response.status >= 200 && response.status < 300;
  if (!answered) throw statusError(response, url.host);
  return response;
}
