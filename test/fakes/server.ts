import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A canned answer the next request gets instead of the normal behaviour (429s, 500s, …). */
export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Hold the answer this long (timeouts). */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Answers to give, in order, before normal behaviour resumes. */
  script: ScriptedResponse[];
  close(): Promise<void>;
}

export type Route = (req: RecordedRequest, res: ServerResponse) => void;

export function reply(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}

/** A local HTTP server on 127.0.0.1 standing in for a remote SaaS API. */
export async function startFake(route: Route): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const script: ScriptedResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      requests.push(recorded);
      const next = script.shift();
      if (next) {
        const answer = () => reply(res, next.status, next.body, next.headers);
        if (next.delayMs) setTimeout(answer, next.delayMs);
        else answer();
        return;
      }
      route(recorded, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    script,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
