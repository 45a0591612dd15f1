import type { Bundle, HttpRequestOptions, ZObject } from 'zapier-platform-core';
import { apiAuth, authHeaders, type HttpResponse, type HttpTransport } from '@hookbridge/core';

/**
 * Core's REST-hook calls sent by Zapier itself, through `z.request`: they appear in the Zap's
 * HTTP logs, and the auth is added by the `beforeRequest` middleware below (as Zapier's
 * REST-hook example app does), not by our client.
 */
export function zapierTransport(z: ZObject): HttpTransport {
  return async (request): Promise<HttpResponse> => {
    const response = await z.request({
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: request.body === undefined || typeof request.body === 'string' ? request.body : Buffer.from(request.body),
      timeout: request.timeoutMs,
      redirect: 'manual',
      // Statuses are core's to judge (a 404 on delete is fine; 5xx and 429 retry).
      skipThrowForStatus: true,
    });
    const headers: Record<string, string | undefined> = {};
    response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
    return { status: response.status, headers, body: response.content ?? '' };
  };
}

/** The provider API's origin, from the connection: the only host that gets the API key. */
function apiOrigin(bundle: Bundle): string | undefined {
  try {
    return bundle.authData.base_url ? new URL(bundle.authData.base_url).origin : undefined;
  } catch {
    return undefined;
  }
}

/** `beforeRequest` middleware: the connection's API auth on requests to the provider API, and on nothing else. */
export function addApiAuth(request: HttpRequestOptions, _z: ZObject, bundle: Bundle): HttpRequestOptions {
  const origin = apiOrigin(bundle);
  if (!origin || !request.url || new URL(request.url).origin !== origin) return request;
  const auth = apiAuth({
    authType: bundle.authData.api_auth_type,
    apiKey: bundle.authData.api_key,
    apiKeyHeader: bundle.authData.api_key_header,
    username: bundle.authData.api_username,
  });
  return { ...request, headers: { ...request.headers, ...authHeaders(auth) } };
}
