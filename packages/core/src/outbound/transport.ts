/** One HTTP request as the outbound layer hands it to a transport: already checked against the address policy. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The transport gives up after this long and throws a `DeliveryError` with code `timeout`. */
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  /** The body as text (transports may cut it; only errors and small JSON answers are read). */
  body: string;
}

/**
 * Sends one request; answers any HTTP status (redirects are answers, never followed) and
 * throws a `DeliveryError` (`timeout`, `network_error`, `destination_refused`) when no answer came.
 * The default is `nodeTransport` (undici, with the address policy checked at connect time);
 * a host platform passes its own (n8n's `httpRequestWithAuthentication`, Zapier's `z.request`).
 */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;
