import { getPath, isRecord } from '../json-path';
import { createScheme, type SchemeHeaders, type SchemeName } from '../signatures';
import { standardWebhooksScheme } from '../signatures/standard-webhooks';
import { isoTime, str } from './helpers';
import type { EventDefinition, ExtractedEvent, ProviderProfile } from './types';

const manual = {
  kind: 'manual' as const,
  instructions: "Register this URL as a webhook endpoint in the sender's dashboard and paste its signing secret here.",
};

/**
 * Standard Webhooks (standardwebhooks.com): payload `{ type, timestamp, data }`, the id
 * is the signed `webhook-id` header. The generic scheme for any compliant sender.
 */
export const standard: ProviderProfile = {
  id: 'standard',
  name: 'Standard Webhooks',
  scheme: standardWebhooksScheme(),
  events: [],
  allEventsOption: true,
  subscription: manual,
  accentColor: 0x0ea5e9,
  extract(body, { verified }) {
    const p = isRecord(body) ? body : {};
    return {
      id: verified.webhookId,
      type: str(p.type),
      occurredAt: isoTime(p.timestamp) ?? (verified.timestamp ? isoTime(verified.timestamp) : undefined),
      data: 'data' in p ? p.data : p,
    };
  },
  samplePayload(type, overrides = {}) {
    return {
      type,
      timestamp: overrides.occurredAt ?? '2025-06-09T10:30:00Z',
      data: { id: overrides.id ?? 'obj_123', message: 'Hello from Hookbridge' },
    };
  },
};

/** A provider described by configuration: pick a scheme, its headers and where the fields live. */
export interface GenericProviderConfig {
  id?: string;
  name?: string;
  scheme: SchemeName;
  headers: SchemeHeaders;
  /** Dot paths into the payload (`meta.event_id`, `event.type`); `data` defaults to the whole payload. */
  paths?: { id?: string; type?: string; time?: string; data?: string; summary?: string };
  /** Known event types, if the sender has a catalogue. */
  events?: readonly string[];
  accentColor?: number;
}

export function createGenericProvider(config: GenericProviderConfig): ProviderProfile {
  const paths = { id: 'id', type: 'type', time: 'timestamp', ...config.paths };
  const events: EventDefinition[] = (config.events ?? []).map((type) => ({
    type,
    label: type,
    description: `${type} event`,
    sample: { [paths.type]: type },
  }));
  return {
    id: config.id ?? 'generic',
    name: config.name ?? 'Generic webhook',
    scheme: createScheme(config.scheme, config.headers),
    events,
    allEventsOption: true,
    subscription: manual,
    accentColor: config.accentColor ?? 0x64748b,
    extract(body, { verified }): ExtractedEvent {
      return {
        id: str(getPath(body, paths.id)) ?? verified.webhookId,
        type: str(getPath(body, paths.type)),
        occurredAt: isoTime(getPath(body, paths.time)) ?? (verified.timestamp ? isoTime(verified.timestamp) : undefined),
        data: paths.data ? getPath(body, paths.data) : body,
        summary: paths.summary ? str(getPath(body, paths.summary)) : undefined,
      };
    },
    samplePayload(type, overrides = {}) {
      const payload: Record<string, unknown> = {};
      setPath(payload, paths.type, type);
      setPath(payload, paths.id, overrides.id ?? 'evt_sample_1');
      setPath(payload, paths.time, overrides.occurredAt ?? '2025-06-09T10:30:00Z');
      return payload;
    },
  };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isRecord(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
