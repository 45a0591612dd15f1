import type { EventBrand, EventWorkflow, HookEvent } from '../event';
import { listProviders } from '../providers';

/** The variables every template sees, the same for every provider (Trakkr's documented list and more). */
export interface TemplateContext {
  event: { id: string; type: string; provider: string; occurredAt: string; data: unknown };
  /** Shorthand for `event.data`. */
  data: unknown;
  /** Trakkr's brand; for other providers, the provider itself, so `{{brand.name}}` always reads. */
  brand: EventBrand;
  workflow: EventWorkflow | null;
  summary: string;
  subject: string;
  /** ISO time of the event (Trakkr's webhook docs `{{timestamp}}`). */
  timestamp: string;
  provider: string;
  providerName: string;
  /** The payload exactly as sent. */
  raw: unknown;
}

export function providerName(id: string): string {
  return listProviders().find((p) => p.id === id)?.name ?? id;
}

export function templateContext(event: HookEvent): TemplateContext {
  const name = providerName(event.provider);
  return {
    event: { id: event.id, type: event.type, provider: event.provider, occurredAt: event.occurredAt, data: event.data },
    data: event.data,
    brand: event.brand ?? { id: event.provider, name },
    workflow: event.workflow ?? null,
    summary: event.summary ?? '',
    subject: event.subject ?? '',
    timestamp: event.occurredAt,
    provider: event.provider,
    providerName: name,
    raw: event.raw,
  };
}
