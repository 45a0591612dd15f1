import type { IncomingMessage, ServerResponse } from 'node:http';
import { maxBodyOf, receive, refuse, storageFailure, type IntakeAnswer, type IntakeDeps } from './routes';

const PREFIX = '/hooks/';

/** The source id of `POST /hooks/<id>[?query]`, or undefined when the fast path should leave the request to Fastify. */
export function intakeSource(request: IncomingMessage): string | undefined {
  const url = request.url;
  if (request.method !== 'POST' || !url || !url.startsWith(PREFIX)) return undefined;
  const end = url.indexOf('?');
  const id = url.slice(PREFIX.length, end < 0 ? undefined : end);
  // Anything needing decoding or routing (%xx, nested paths) goes the general way.
  return id !== '' && !id.includes('/') && !id.includes('%') ? id : undefined;
}

function answer(response: ServerResponse, r: IntakeAnswer, close = false): void {
  const json = JSON.stringify(r.body);
  response.writeHead(r.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...r.headers,
    ...(close ? { connection: 'close' } : {}),
  });
  response.end(json);
}

/**
 * Intake straight on node:http — the same `receive` as the Fastify route, without the
 * framework's per-request machinery (routing tree, hooks, content-type parsers, reply),
 * which was a tenth of the main thread's work per webhook. Same answers, limits and logs.
 */
export function intakeFastPath(deps: IntakeDeps): (request: IncomingMessage, response: ServerResponse, sourceId: string) => void {
  const maxBody = maxBodyOf(deps);
  return (request, response, sourceId) => {
    const ip = request.socket.remoteAddress ?? '';
    const declared = Number(request.headers['content-length']);
    const tooLarge = () => {
      answer(response, refuse(deps, ip, sourceId, 'body_too_large', 413, `Body exceeds the limit of ${maxBody} bytes`), true);
      request.destroy();
    };
    if (declared > maxBody) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBody) {
        done = true;
        return tooLarge();
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (done) return;
      done = true;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      receive(deps, { sourceId, headers: request.headers, body, remoteAddress: ip }).then(
        (r) => answer(response, r),
        (error: unknown) => {
          const failure = storageFailure(deps, error, sourceId);
          if (!response.headersSent) answer(response, failure);
        },
      );
    });
    request.on('error', () => {
      done = true;
    });
  };
}
