import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { DeliveryError } from '../errors';
import { addressRefusal, type DestinationGuard } from './address-policy';
import type { HttpRequest, HttpResponse, HttpTransport } from './transport';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` replacement for the HTTP agent: the check happens on the addresses the
 * connection will really use, so DNS rebinding cannot slip an internal address past it.
 */
export function guardedLookup(guard: DestinationGuard) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      for (const { address } of list) {
        const refusal = addressRefusal(address, guard);
        if (refusal) {
          const e = new DeliveryError('destination_refused', `Destination refused: ${hostname} resolves to ${refusal}`) as DeliveryError &
            NodeJS.ErrnoException;
          return callback(e, []);
        }
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

const agents = new Map<string, Dispatcher>();

function agentFor(guard: DestinationGuard): Dispatcher {
  const key = JSON.stringify(guard);
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(guard) as never }, keepAliveTimeout: 10_000 });
    agents.set(key, agent);
  }
  return agent;
}

/** The error and its causes, outermost first (undici wraps connection errors). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/** Maps what a Node client threw to a typed error; messages name the host, never headers or bodies. */
export function transportError(error: unknown, host: string, timeoutMs: number): DeliveryError {
  const chain = causes(error);
  const typed = chain.find((e) => e instanceof DeliveryError);
  if (typed) return typed as DeliveryError;
  const code = chain.map((e) => (e as { code?: string }).code).find(Boolean);
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError' || code?.includes('TIMEOUT')) {
    return new DeliveryError('timeout', `No answer from ${host} within ${timeoutMs} ms`, { retryable: true }, { cause: error });
  }
  return new DeliveryError(
    'network_error',
    `Could not reach ${host}: ${code ?? (error as Error).message}`,
    { retryable: true, notSent: code === 'ECONNREFUSED' || code === 'ENOTFOUND' },
    { cause: error },
  );
}

/**
 * undici with the address policy checked on the resolved addresses at connect time, a timeout
 * per request (a cleared `setTimeout`: `AbortSignal.timeout` costs ~10 µs per call) and no redirects.
 */
export function nodeTransport(guard: DestinationGuard = {}): HttpTransport {
  const dispatcher = agentFor(guard);
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`timed out after ${request.timeoutMs} ms`, 'TimeoutError')),
      request.timeoutMs,
    );
    try {
      const response = await undiciRequest(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        dispatcher,
        signal: controller.signal,
      });
      const body = await response.body.text();
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(response.headers)) headers[name] = Array.isArray(value) ? value[0] : value;
      return { status: response.statusCode, headers, body };
    } catch (error) {
      throw transportError(error, new URL(request.url).host, request.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  };
}
