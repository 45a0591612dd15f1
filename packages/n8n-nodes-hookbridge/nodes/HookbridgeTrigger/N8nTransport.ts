import type { IHookFunctions, IHttpRequestOptions } from 'n8n-workflow';
import type { HttpResponse, HttpTransport } from '@hookbridge/core/pure';

interface FullResponse {
  statusCode: number;
  headers?: Record<string, unknown>;
  body?: unknown;
}

function text(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return JSON.stringify(body);
}

/**
 * Core's REST-hook calls sent by n8n itself: `httpRequestWithAuthentication` with the
 * `hookbridgeApi` credential, whose `authenticate` adds the auth. So n8n's proxy and SSL
 * settings, credential domain rules and request logging apply to our calls, and no header
 * with a secret is built here.
 */
export function n8nTransport(context: IHookFunctions, credential = 'hookbridgeApi'): HttpTransport {
  return async (request): Promise<HttpResponse> => {
    const options: IHttpRequestOptions = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body === undefined || typeof request.body === 'string' ? request.body : Buffer.from(request.body),
      timeout: request.timeoutMs,
      json: false,
      encoding: 'text',
      returnFullResponse: true,
      ignoreHttpStatusErrors: true,
      disableFollowRedirect: true,
    };
    // A failure without an answer propagates as it is: core's outbound layer types it (a retryable network error).
    const response = (await context.helpers.httpRequestWithAuthentication.call(context, credential, options)) as FullResponse;
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(response.headers ?? {}))
      headers[name.toLowerCase()] = Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
    return { status: response.statusCode, headers, body: text(response.body) };
  };
}
