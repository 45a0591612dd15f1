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
  const map = new Map<string, string>();
  for (const [rawName, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const joined = typeof value === 'string' ? value : value.join(', ');
    const name = rawName.toLowerCase();
    map.set(name, joined);
    // Zapier rewrites `X-Trakkr-Signature` to `Http-X-Trakkr-Signature`.
    if (name.startsWith('http-')) {
      const plain = name.slice(5);
      if (!map.has(plain)) map.set(plain, joined);
    }
  }
  return { get: (name) => map.get(name.toLowerCase()) };
}
