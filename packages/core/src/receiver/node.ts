import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_MAX_BODY_BYTES } from '../verify';
import type { ReceiveResult, WebhookReceiver } from './receiver';

export class BodyTooLargeError extends Error {
  readonly status = 413;
}

/**
 * Reads a request body up to `limit` bytes. Stops reading (and rejects) as soon as the
 * limit is passed, so an oversized body costs no more than the limit in memory.
 */
export function readRawBody(req: IncomingMessage, limit = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(`Body is ${declared} bytes; the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(`Body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: Pick<ReceiveResult, 'status' | 'body'>): void {
  const json = JSON.stringify(result.body);
  res.writeHead(result.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

type RequestWithBody = IncomingMessage & { body?: unknown; rawBody?: unknown };

/**
 * A `node:http` / Express / Connect handler. Works mounted before any body parser, or
 * after `express.raw()`; a body already parsed to JSON cannot be verified and is refused.
 */
export function createNodeMiddleware(receiver: WebhookReceiver, options: { maxBodyBytes?: number } = {}) {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, { status: 405, body: { ok: false, error: 'method_not_allowed', message: 'Use POST' } });
      return;
    }
    let rawBody: Buffer;
    const pre = (req as RequestWithBody).rawBody ?? (req as RequestWithBody).body;
    try {
      if (Buffer.isBuffer(pre)) rawBody = pre;
      else if (pre !== undefined && typeof pre === 'object' && req.readableEnded) {
        send(res, {
          status: 500,
          body: { ok: false, error: 'body_already_parsed', message: 'Mount the webhook route before express.json(), or use express.raw()' },
        });
        return;
      } else rawBody = await readRawBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        send(res, { status: 413, body: { ok: false, error: 'body_too_large', message: error.message } });
        return;
      }
      throw error;
    }
    send(res, await receiver.receive({ headers: req.headers, rawBody }));
  };
}
