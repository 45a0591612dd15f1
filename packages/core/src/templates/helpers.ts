import type { HelperOptions } from 'handlebars';

/** Handlebars passes an options object last; these helpers take plain values before it. */
type Args = unknown[];

function isOptions(value: unknown): value is HelperOptions {
  return typeof value === 'object' && value !== null && 'hash' in value && 'data' in value;
}

function split(args: Args): { values: unknown[]; hash: Record<string, unknown> } {
  const last = args[args.length - 1];
  return isOptions(last) ? { values: args.slice(0, -1), hash: last.hash as Record<string, unknown> } : { values: args, hash: {} };
}

const empty = (v: unknown) => v === undefined || v === null || v === '';

export function truncateText(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  if (max <= ellipsis.length) return text.slice(0, max);
  // Do not cut a surrogate pair in half.
  let end = max - ellipsis.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + ellipsis;
}

const namedDateFormats: Record<string, Intl.DateTimeFormatOptions> = {
  date: { dateStyle: 'medium' },
  time: { timeStyle: 'short' },
  datetime: { dateStyle: 'medium', timeStyle: 'short' },
  short: { dateStyle: 'short', timeStyle: 'short' },
  long: { dateStyle: 'full', timeStyle: 'long' },
};

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value > 1e12 ? value : value * 1000);
  if (typeof value === 'string' && value !== '') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** The helpers every template gets. Names and behaviour are documented in the core README. */
export const helpers: Record<string, (...args: Args) => unknown> = {
  json(...args) {
    const { values, hash } = split(args);
    return JSON.stringify(values[0] ?? null, null, typeof hash.indent === 'number' ? hash.indent : undefined);
  },
  default(...args) {
    const { values } = split(args);
    return values.find((v) => !empty(v)) ?? '';
  },
  eq: (...args) => split(args).values[0] === split(args).values[1],
  ne: (...args) => split(args).values[0] !== split(args).values[1],
  gt: (...args) => Number(split(args).values[0]) > Number(split(args).values[1]),
  lt: (...args) => Number(split(args).values[0]) < Number(split(args).values[1]),
  gte: (...args) => Number(split(args).values[0]) >= Number(split(args).values[1]),
  lte: (...args) => Number(split(args).values[0]) <= Number(split(args).values[1]),
  and: (...args) => split(args).values.every(Boolean),
  or: (...args) => split(args).values.some(Boolean),
  not: (...args) => !split(args).values[0],
  upper: (...args) => String(split(args).values[0] ?? '').toUpperCase(),
  lower: (...args) => String(split(args).values[0] ?? '').toLowerCase(),
  truncate(...args) {
    const { values, hash } = split(args);
    const max = Number(values[1] ?? hash.length ?? 100);
    return truncateText(String(values[0] ?? ''), Number.isFinite(max) ? max : 100, typeof hash.ellipsis === 'string' ? hash.ellipsis : '…');
  },
  number(...args) {
    const { values, hash } = split(args);
    const n = Number(values[0]);
    if (empty(values[0]) || Number.isNaN(n)) return values[0] ?? '';
    const digits = typeof values[1] === 'number' ? values[1] : undefined;
    const locale = typeof hash.locale === 'string' ? hash.locale : 'en-US';
    const style = hash.style === 'percent' || hash.style === 'currency' ? hash.style : 'decimal';
    return new Intl.NumberFormat(locale, {
      style,
      currency: typeof hash.currency === 'string' ? hash.currency : style === 'currency' ? 'USD' : undefined,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits ?? 2,
    }).format(n);
  },
  date(...args) {
    const { values, hash } = split(args);
    const d = toDate(values[0]);
    if (!d) return values[0] ?? '';
    const format = typeof values[1] === 'string' ? values[1] : 'datetime';
    const timeZone = typeof hash.tz === 'string' ? hash.tz : 'UTC';
    if (format === 'iso') return d.toISOString();
    if (format === 'unix') return Math.floor(d.getTime() / 1000);
    const locale = typeof hash.locale === 'string' ? hash.locale : 'en-US';
    const options = namedDateFormats[format] ?? namedDateFormats.datetime!;
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(d);
  },
  pluralize(...args) {
    const { values, hash } = split(args);
    const count = Number(values[0]);
    const singular = String(values[1] ?? '');
    const plural = typeof values[2] === 'string' ? values[2] : singular + 's';
    const word = count === 1 ? singular : plural;
    return hash.omitCount ? word : `${values[0]} ${word}`;
  },
  join(...args) {
    const { values } = split(args);
    const list = Array.isArray(values[0]) ? values[0] : [];
    return list
      .map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)))
      .join(typeof values[1] === 'string' ? values[1] : ', ');
  },
};
