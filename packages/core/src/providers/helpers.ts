import type { EventDefinition } from './types';

export function titleCase(type: string): string {
  return type
    .split(/[._]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

// Already what toISOString() returns: kept as is, which spares a parse and a format per event.
const CANONICAL_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** ISO time from a string or unix seconds/milliseconds, or undefined. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value === 'string' && CANONICAL_ISO.test(value) && !Number.isNaN(Date.parse(value))) return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value > 1e12 ? value : value * 1000).toISOString();
  }
  if (typeof value === 'string' && value !== '') {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return undefined;
}

export function findDefinition(events: readonly EventDefinition[], type: string): EventDefinition {
  const def = events.find((e) => e.type === type);
  if (!def) throw new RangeError(`Unknown event type "${type}"`);
  return def;
}

export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
