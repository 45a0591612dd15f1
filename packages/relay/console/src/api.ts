import { parseSse } from './sse';

/** The admin API, with the token from session storage in a header (never in a URL). */
const KEY = 'hookbridge.adminToken';

export const token = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (value: string) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class Unauthorized extends Error {}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: {
      authorization: `Bearer ${token.get() ?? ''}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  });
  if (res.status === 401 || res.status === 403)
    throw new Unauthorized(((await res.json()) as { message?: string }).message ?? 'Unauthorized');
  const data = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(data.message ?? `HTTP ${res.status}`);
  return data;
}

export interface StreamHandlers {
  onMessage: (event: string, data: unknown) => void;
  onState: (state: 'live' | 'reconnecting') => void;
}

/**
 * Server-Sent Events read with fetch (EventSource cannot send the token in a header),
 * reconnecting after a second whenever the relay goes away.
 */
export function openStream(handlers: StreamHandlers): () => void {
  let stopped = false;
  let controller: AbortController | undefined;
  const connect = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch('/admin/stream', { headers: { authorization: `Bearer ${token.get() ?? ''}` }, signal: controller.signal });
        if (!res.ok || !res.body) throw new Error(`stream ${res.status}`);
        handlers.onState('live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const parsed = parseSse(buffer + value);
          buffer = parsed.rest;
          for (const message of parsed.messages) handlers.onMessage(message.event, JSON.parse(message.data));
        }
      } catch {
        // the relay restarted or the network dropped: try again below
      }
      if (stopped) return;
      handlers.onState('reconnecting');
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void connect();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
