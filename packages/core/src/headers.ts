/** Anything a platform hands us as request headers: node:http, Fetch `Headers`, or a plain object. */
export type HeadersInput = Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

/** A case-insensitive view of request headers. */
export interface HeaderLookup {
  get(name: string): string | undefined;
}

function isFetchHeaders(h: HeadersInput): h is { get(name: string): string | null } {
  return typeof (h as { get?: unknown }).get === 'function';
}

/**
 * Normalises headers once so schemes can look names up case-insensitively. Repeated
 * headers are joined with ", " as HTTP folds them; Zapier's `Http-X-Foo` renaming is
 * undone so `x-foo` finds it.
 */
export function headerLookup(headers: HeadersInput): HeaderLookup {
  if (isFetchHeaders(headers)) {
    return { get: (name) => headers.get(name) ?? undefined };
  }
  let folded: Map<string, string> | undefined;
  return {
    get(name) {
      // Fast path: node:http already lower-cases names, and callers pass lower-case names.
      const direct = headers[name];
      if (direct !== undefined) return typeof direct === 'string' ? direct : direct.join(', ');
      folded ??= foldHeaders(headers);
      return folded.get(name.toLowerCase());
    },
  };
}

function foldHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [rawName, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const joined = typeof value === 'string' ? value : value.join(', ');
    const name = rawName.toLowerCase();
    map.set(name, joined);
    // Zapier rewrites `X-Trakkr-Signature` to `Http-X-Trakkr-Signature`.
    if (name.startsWith('http-') && !map.has(name.slice(5))) map.set(name.slice(5), joined);
  }
  return map;
}

const SENSITIVE = /signature|authorization|token|secret|api[-_]?key|cookie/i;

/** Headers fit to store or show: signatures, credentials and cookies replaced by a marker. */
export function redactHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SENSITIVE.test(name) ? '[redacted]' : typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}
