import { request } from 'undici';

export interface AdminTarget {
  url: string;
  token?: string;
}

/** Calls the relay's admin API; errors carry the relay's own message. */
export async function adminCall<T>(target: AdminTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await request(target.url.replace(/\/+$/, '') + path, {
    method,
    headers: { authorization: `Bearer ${target.token ?? ''}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.body.text();
  const parsed = (text ? JSON.parse(text) : {}) as T & { message?: string };
  if (response.statusCode === 401) {
    const how =
      "pass the admin token with --token <token> or HOOKBRIDGE_ADMIN_TOKEN=<token> (server.adminToken in the relay's configuration)";
    throw new Error(`401: the relay refused ${target.token ? 'this admin token' : 'the request: no admin token given'}; ${how}`);
  }
  if (response.statusCode >= 400) throw new Error(`${response.statusCode}: ${parsed.message ?? text}`);
  return parsed;
}

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

export function eventLines(
  rows: {
    id: number;
    source: string;
    event_id: string;
    type: string;
    received_at: number;
    delivered: number;
    failed: number;
    pending: number;
  }[],
): string[] {
  return rows.map(
    (r) =>
      `${String(r.id).padStart(6)}  ${time(r.received_at)}  ${r.source.padEnd(14)} ${r.type.padEnd(36)} ${r.event_id.padEnd(34)} ✓${r.delivered ?? 0} ✗${r.failed ?? 0} …${r.pending ?? 0}`,
  );
}

export function deliveryLines(
  rows: {
    id: number;
    route: string;
    status: string;
    attempts: number;
    updated_at: number;
    event_id: string;
    type: string;
    last_status: number | null;
    last_error: string | null;
  }[],
): string[] {
  return rows.map(
    (r) =>
      `${String(r.id).padStart(6)}  ${time(r.updated_at)}  ${r.status.padEnd(9)} ${r.route.padEnd(22)} ${r.type.padEnd(32)} ${r.event_id.padEnd(34)} attempts ${r.attempts}${r.last_status ? `  last ${r.last_status}` : ''}${r.last_error ? `  ${r.last_error.slice(0, 80)}` : ''}`,
  );
}
