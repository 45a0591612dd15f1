import { type HookEvent } from '@hookbridge/core';

/** What every trigger returns for one event: flat enough for Zapier's field mapper, with an `id` for dedupe. */
export interface ZapEvent {
  id: string;
  provider: string;
  type: string;
  occurred_at: string;
  summary: string;
  subject: string;
  brand: { id: string; name: string; website: string } | null;
  workflow: { id: string; name: string } | null;
  data: unknown;
}

export function toZapEvent(event: HookEvent): ZapEvent {
  return {
    id: event.id,
    provider: event.provider,
    type: event.type,
    occurred_at: event.occurredAt,
    summary: event.summary ?? '',
    subject: event.subject ?? '',
    brand: event.brand ? { id: event.brand.id, name: event.brand.name, website: event.brand.website ?? '' } : null,
    workflow: event.workflow ? { id: event.workflow.id ?? '', name: event.workflow.name } : null,
    data: event.data,
  };
}

export interface OutputField {
  key: string;
  label: string;
  type?: 'string' | 'number' | 'boolean' | 'datetime';
}

function label(key: string): string {
  return key
    .split(/__|_|\./)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/** Zapier's flattened keys (`data__rank_change__old_rank`) with labels and types, from a sample. */
export function outputFieldsOf(sample: unknown, prefix = ''): OutputField[] {
  if (sample === null || typeof sample !== 'object' || Array.isArray(sample)) return [];
  return Object.entries(sample as Record<string, unknown>).flatMap(([k, v]): OutputField[] => {
    const key = prefix ? `${prefix}__${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return outputFieldsOf(v, key);
    const type =
      typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : /(_at|At|timestamp|created)$/.test(k) ? 'datetime' : 'string';
    return [{ key, label: label(key), type }];
  });
}
