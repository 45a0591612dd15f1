import type { HookEvent } from '../event';
import { isRecord } from '../json-path';
import { listProviders } from '../providers';
import { titleCase } from '../providers/helpers';

/** A platform-neutral description of an event that the Slack, Discord and Teams formatters all draw. */
export interface EventDigest {
  id: string;
  type: string;
  provider: string;
  providerName: string;
  /** "Score Updated" */
  eventLabel: string;
  /** "Score Updated · Ada Runner" */
  title: string;
  summary: string;
  fields: { name: string; value: string }[];
  /** A link worth a button: the first http(s) URL in the data. */
  url?: string;
  color: number;
  occurredAt: string;
}

const PAIRS: [RegExp, string, string][] = [
  [/^old_(.+)$/, 'old_', 'new_'],
  [/^previous_(.+)$/, 'previous_', 'current_'],
];

// One formatter, built once: `toLocaleString` builds a new one on every call (~100 µs).
const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function display(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return numberFormat.format(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ');
  return JSON.stringify(value);
}

/** Data fields as name/value rows; `old_x`/`new_x` pairs (and nested ones like `rank_change`) become "x: a → b". */
export function dataFields(data: unknown, prefix = ''): { name: string; value: string }[] {
  if (!isRecord(data)) return data === undefined ? [] : [{ name: prefix || 'Value', value: display(data) }];
  const rows: { name: string; value: string }[] = [];
  const used = new Set<string>();
  for (const [key, value] of Object.entries(data)) {
    if (used.has(key)) continue;
    const pair = PAIRS.map(([re, from, to]) => ({ m: re.exec(key), from, to })).find((p) => p.m);
    if (pair?.m) {
      const partner = pair.to + pair.m[1];
      if (partner in data) {
        used.add(partner);
        rows.push({ name: titleCase(prefix + pair.m[1]), value: `${display(value)} → ${display(data[partner])}` });
        continue;
      }
    }
    if (isRecord(value) && !prefix) {
      const nested = dataFields(value, `${key}.`);
      // A nested object that is only a pair ("rank_change": {old_rank, new_rank}) reads as that pair.
      if (nested.length === 1 && Object.keys(value).length === 2)
        rows.push({ name: titleCase(Object.keys(value)[0]!.replace(/^(old|previous)_/, '')), value: nested[0]!.value });
      else rows.push(...nested);
      continue;
    }
    rows.push({ name: titleCase(prefix + key), value: display(value) });
  }
  return rows;
}

function firstUrl(data: unknown, depth = 0): string | undefined {
  if (!isRecord(data) || depth > 2) return undefined;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' && /url$/i.test(key) && /^https?:\/\//.test(value)) return value;
  }
  for (const value of Object.values(data)) {
    const found = firstUrl(value, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function digestEvent(event: HookEvent): EventDigest {
  const profile = listProviders().find((p) => p.id === event.provider);
  const eventLabel = profile?.events.find((e) => e.type === event.type)?.label ?? titleCase(event.type);
  const providerName = profile?.name ?? event.provider;
  return {
    id: event.id,
    type: event.type,
    provider: event.provider,
    providerName,
    eventLabel,
    title: event.subject ? `${eventLabel} · ${event.subject}` : eventLabel,
    summary: event.summary ?? `${providerName} sent ${event.type}`,
    fields: dataFields(event.data),
    url: firstUrl(event.data),
    color: profile?.accentColor ?? 0x64748b,
    occurredAt: event.occurredAt,
  };
}
