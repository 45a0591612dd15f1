/** Reads `a.b[0].c` style paths from parsed JSON; undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  if (path === '' || path === '$') return value;
  let current: unknown = value;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((k) => k !== undefined && k !== '')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
