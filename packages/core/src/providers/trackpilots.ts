import type { EventUnion } from '../event';
import { isRecord } from '../json-path';
import { timestampedScheme } from '../signatures/timestamped';
import { cloneJson, findDefinition, isoTime, str } from './helpers';
import type { EventDefinition, ProviderProfile } from './types';

/**
 * Trackpilots: desktop activity tracking. Its webhook docs fix the headers and the
 * signed content but shows no payload; we read `event` (or `type`) for the type, `id`
 * (or `event_id`) for the id, and fall back to a hash of the body.
 */

interface DesktopBase {
  employee_id: string;
  employee_name: string;
  device_id: string;
  captured_at: string;
}

export interface TrackpilotsEventData {
  'desktop.screenshot_tracking.captured': DesktopBase & { screenshot_url: string; active_window?: string };
  'desktop.app_tracking.captured': DesktopBase & { app_name: string; window_title?: string; duration_seconds: number };
  'desktop.activity_tracking.captured': DesktopBase & { active_seconds: number; idle_seconds: number; activity_percent: number };
}

export type TrackpilotsEventType = keyof TrackpilotsEventData;

export interface TrackpilotsPayload<T extends TrackpilotsEventType = TrackpilotsEventType> {
  id: string;
  event: T;
  timestamp: string;
  data: TrackpilotsEventData[T];
}

export type TrackpilotsEvent = EventUnion<'trackpilots', TrackpilotsEventData>;

const base: DesktopBase = {
  employee_id: 'emp_1024',
  employee_name: 'Priya Nair',
  device_id: 'dev_mbp_7',
  captured_at: '2025-06-09T10:30:00Z',
};

const samples: { [T in TrackpilotsEventType]: { data: TrackpilotsEventData[T]; label: string; description: string } } = {
  'desktop.screenshot_tracking.captured': {
    data: { ...base, screenshot_url: 'https://files.trackpilots.example/s/emp_1024/1717929000.png', active_window: 'Figma' },
    label: 'Screenshot Captured',
    description: 'A desktop screenshot was captured',
  },
  'desktop.app_tracking.captured': {
    data: { ...base, app_name: 'Visual Studio Code', window_title: 'hookbridge — core', duration_seconds: 1260 },
    label: 'App Usage Captured',
    description: 'Application usage was captured',
  },
  'desktop.activity_tracking.captured': {
    data: { ...base, active_seconds: 540, idle_seconds: 60, activity_percent: 90 },
    label: 'Activity Captured',
    description: 'Keyboard and mouse activity was captured',
  },
};

function payload(type: TrackpilotsEventType, id = 'tp_evt_7f3a9c', timestamp = '2025-06-09T10:30:00Z'): TrackpilotsPayload {
  const data = cloneJson(samples[type].data);
  data.captured_at = timestamp;
  return { id, event: type, timestamp, data };
}

const events: EventDefinition[] = (Object.keys(samples) as TrackpilotsEventType[]).map((type) => ({
  type,
  label: samples[type].label,
  description: samples[type].description,
  sample: payload(type),
}));

function summarize(type: string, d: Record<string, unknown>): string | undefined {
  const who = str(d.employee_name) ?? str(d.employee_id);
  switch (type) {
    case 'desktop.screenshot_tracking.captured':
      return `Screenshot captured for ${who}`;
    case 'desktop.app_tracking.captured':
      return `${who} used ${str(d.app_name)} for ${str(d.duration_seconds)}s`;
    case 'desktop.activity_tracking.captured':
      return `${who} was ${str(d.activity_percent)}% active`;
    default:
      return undefined;
  }
}

export const trackpilots: ProviderProfile = {
  id: 'trackpilots',
  name: 'Trackpilots',
  scheme: timestampedScheme({ signature: 'x-webhook-signature', timestamp: 'x-webhook-timestamp' }),
  events,
  allEventsOption: true,
  subscription: {
    kind: 'manual',
    instructions:
      'In Trackpilots, open Developer Tools → Webhooks → Create Webhook, paste this URL, pick the events (or "All Events"), and paste the signing secret here.',
  },
  accentColor: 0x7c3aed,
  dashboardHint: 'Trackpilots → Developer Tools → Webhooks',
  extract(body, { verified }) {
    const p = isRecord(body) ? body : {};
    const data = isRecord(p.data) ? p.data : {};
    const type = str(p.event) ?? str(p.type) ?? str(p.event_type);
    return {
      id: str(p.id) ?? str(p.event_id),
      type,
      occurredAt: isoTime(p.timestamp) ?? isoTime(data.captured_at) ?? (verified.timestamp ? isoTime(verified.timestamp) : undefined),
      data: p.data ?? {},
      summary: type ? summarize(type, data) : undefined,
      subject: str(data.employee_name) ?? str(data.employee_id),
    };
  },
  samplePayload(type, overrides = {}) {
    findDefinition(events, type);
    return payload(type as TrackpilotsEventType, overrides.id, overrides.occurredAt);
  },
};
