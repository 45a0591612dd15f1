import type { EventBrand, EventUnion, EventWorkflow } from '../event';
import { isRecord } from '../json-path';
import { hexPrefixedScheme } from '../signatures/hex-prefixed';
import { cloneJson, findDefinition, isoTime, str } from './helpers';
import type { EventDefinition, ProviderProfile } from './types';

/** Trakkr: brand visibility in AI answers. Has a REST-hook API. */

export interface TrakkrEventData {
  visibility_changed: {
    previous_score: number;
    current_score: number;
    change_percent: number;
    direction: 'increased' | 'decreased';
    model?: string;
  };
  report_completed: { report_id: string; title: string; url: string };
  competitor_added: { competitor_id: string; name: string; website?: string; source: 'detected' | 'manual' };
  citation_gained: { url: string; domain: string; title?: string; model?: string };
  citation_lost: { url: string; domain: string; title?: string; model?: string };
}

export type TrakkrEventType = keyof TrakkrEventData;

export interface TrakkrPayload<T extends TrakkrEventType = TrakkrEventType> {
  event: { type: T; timestamp: string; data: TrakkrEventData[T] };
  brand: EventBrand;
  workflow: EventWorkflow | null;
  summary: string;
  meta: { source: string; version: string; event_id: string };
}

export type TrakkrEvent = EventUnion<'trakkr', TrakkrEventData>;

const BRAND: EventBrand = { id: '4f7c2a9e-1b3d-4e8f-9a6b-2c5d7e9f1a3b', name: 'Acme Coffee', website: 'https://acme-coffee.example' };

const samples: { [T in TrakkrEventType]: { data: TrakkrEventData[T]; summary: string; label: string; description: string } } = {
  visibility_changed: {
    data: { previous_score: 42, current_score: 51, change_percent: 21.4, direction: 'increased', model: 'chatgpt' },
    summary: 'Acme Coffee visibility increased 21.4% (42 → 51)',
    label: 'Visibility Changed',
    description: 'Visibility score increased or decreased significantly',
  },
  report_completed: {
    data: { report_id: 'rpt_8d2f61', title: 'Weekly AI visibility report', url: 'https://app.trakkr.example/reports/rpt_8d2f61' },
    summary: 'Report "Weekly AI visibility report" is ready for Acme Coffee',
    label: 'Report Completed',
    description: 'A new research report has been generated',
  },
  competitor_added: {
    data: { competitor_id: 'cmp_77aa01', name: 'Bean Brothers', website: 'https://beanbrothers.example', source: 'detected' },
    summary: 'New competitor detected for Acme Coffee: Bean Brothers',
    label: 'Competitor Added',
    description: 'A new competitor was detected or added',
  },
  citation_gained: {
    data: { url: 'https://news.example/best-coffee-2025', domain: 'news.example', title: 'Best coffee of 2025', model: 'perplexity' },
    summary: 'Acme Coffee gained a citation from news.example',
    label: 'Citation Gained',
    description: 'Brand gained a new citation source',
  },
  citation_lost: {
    data: { url: 'https://blog.example/coffee-roundup', domain: 'blog.example', title: 'Coffee roundup', model: 'gemini' },
    summary: 'Acme Coffee lost a citation from blog.example',
    label: 'Citation Lost',
    description: 'Brand lost a citation source',
  },
};

function payload(type: TrakkrEventType, id = 'evt_01j9z3k4m5n6p7q8', timestamp = '2025-06-09T10:30:00Z'): TrakkrPayload {
  const s = samples[type];
  return {
    event: { type, timestamp, data: cloneJson(s.data) },
    brand: { ...BRAND },
    workflow: type === 'report_completed' ? { id: 'wf_weekly', name: 'Weekly visibility check' } : null,
    summary: s.summary,
    meta: { source: 'trakkr', version: '1.0', event_id: id },
  };
}

const events: EventDefinition[] = (Object.keys(samples) as TrakkrEventType[]).map((type) => ({
  type,
  label: samples[type].label,
  description: samples[type].description,
  sample: payload(type),
}));

function brandOf(value: unknown): EventBrand | undefined {
  if (!isRecord(value)) return undefined;
  const id = str(value.id);
  const name = str(value.name);
  return id && name ? { id, name, website: str(value.website) } : undefined;
}

function workflowOf(value: unknown): EventWorkflow | null | undefined {
  if (value === null) return null;
  if (!isRecord(value)) return undefined;
  const name = str(value.name);
  return name ? { id: str(value.id), name } : undefined;
}

export const trakkr: ProviderProfile = {
  id: 'trakkr',
  name: 'Trakkr',
  scheme: hexPrefixedScheme({ signature: 'x-trakkr-signature' }),
  events,
  allEventsOption: false,
  subscription: {
    kind: 'rest-hook',
    api: {
      paths: { list: '/webhooks', create: '/webhooks', get: '/webhooks/:id', delete: '/webhooks/:id', test: '/webhooks/:id/test' },
      authHeader: 'authorization',
      authPrefix: 'Bearer ',
      fields: { url: 'url', events: 'events', secret: 'signing_secret', scope: 'brand_id' },
      requiredScope: 'brand_id',
    },
  },
  // Trakkr's webhook docs: "Trakkr green accent color".
  accentColor: 0x22c55e,
  extract(body) {
    const p = isRecord(body) ? body : {};
    const event = isRecord(p.event) ? p.event : {};
    const meta = isRecord(p.meta) ? p.meta : {};
    const brand = brandOf(p.brand);
    return {
      id: str(meta.event_id) ?? str(meta.idempotency_key),
      type: str(event.type),
      occurredAt: isoTime(event.timestamp),
      data: event.data,
      summary: str(p.summary),
      subject: brand?.name,
      brand,
      workflow: workflowOf(p.workflow),
    };
  },
  samplePayload(type, overrides = {}) {
    findDefinition(events, type);
    return payload(type as TrakkrEventType, overrides.id, overrides.occurredAt);
  },
};
