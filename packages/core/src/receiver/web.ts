import { DEFAULT_MAX_BODY_BYTES } from '../verify';
import type { WebhookReceiver } from './receiver';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Reads the body stream, giving up (undefined) once it passes `limit` bytes. */
async function readBounded(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * A Fetch API handler (`Request` → `Response`): Next.js route handlers, Deno, Bun,
 * Cloudflare Workers. `export const POST = createFetchHandler(receiver)`.
 */
export function createFetchHandler(receiver: WebhookReceiver, options: { maxBodyBytes?: number } = {}) {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (request: Request): Promise<Response> => {
    if (request.method !== 'POST') return json(405, { ok: false, error: 'method_not_allowed', message: 'Use POST' });
    const declared = Number(request.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limit) {
      return json(413, { ok: false, error: 'body_too_large', message: `Body is ${declared} bytes; the limit is ${limit}` });
    }
    const rawBody = await readBounded(request, limit);
    if (!rawBody) return json(413, { ok: false, error: 'body_too_large', message: `Body exceeds the limit of ${limit} bytes` });
    const result = await receiver.receive({ headers: request.headers, rawBody });
    return json(result.status, result.body);
  };
}
