const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i;
const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const sizeUnits: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `"1s"`, `"500ms"`, `"7d"` or a number of milliseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 ? value : undefined;
  const m = DURATION.exec(value.trim());
  return m ? Math.round(Number(m[1]) * durationUnits[m[2]!]!) : undefined;
}

/** `"1mb"`, `"512kb"` or a number of bytes. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return value > 0 ? value : undefined;
  const m = SIZE.exec(value.trim());
  return m ? Math.round(Number(m[1]) * sizeUnits[m[2]!.toLowerCase()]!) : undefined;
}
