import type { EventUnion } from '../event';
import { isRecord } from '../json-path';
import { base64Scheme } from '../signatures/base64';
import { cloneJson, findDefinition, isoTime, str } from './helpers';
import type { EventDefinition, ProviderProfile } from './types';

/**
 * Trophy: gamification. Payloads carry `type` and the objects the event is
 * about, but no event id or time: the id falls back to a hash of the body.
 */

export interface TrophyUser {
  id: string;
  email?: string;
  name?: string;
  tz?: string;
}

export interface TrophyEventData {
  'achievement.completed': {
    user: TrophyUser;
    achievement: { id: string; key: string; name: string; description?: string; badgeUrl?: string; achievedAt: string };
  };
  'leaderboard.started': {
    leaderboard: { id: string; key: string; name: string; rankBy: 'points' | 'streak' | 'metric'; start: string; end?: string | null };
  };
  'points.changed': {
    user: TrophyUser;
    points: { system: { id: string; key: string; name: string }; added: number; total: number; awardedAt: string };
  };
  'streak.extended': {
    user: TrophyUser;
    streak: {
      length: number;
      frequency: 'daily' | 'weekly' | 'monthly';
      started: string;
      periodStart: string;
      periodEnd: string;
      expires: string;
    };
  };
}

export type TrophyEventType = keyof TrophyEventData;
export type TrophyPayload<T extends TrophyEventType = TrophyEventType> = { type: T } & TrophyEventData[T];
export type TrophyEvent = EventUnion<'trophy', TrophyEventData>;

const USER: TrophyUser = { id: 'user-8f3c', email: 'sam@example.com', name: 'Sam Rivera', tz: 'Europe/London' };

const samples: { [T in TrophyEventType]: { data: TrophyEventData[T]; label: string; description: string } } = {
  'achievement.completed': {
    data: {
      user: USER,
      achievement: {
        id: 'ach_5e1d',
        key: 'ten-lessons',
        name: '10 Lessons Completed',
        description: 'Complete ten lessons',
        achievedAt: '2025-06-09T10:30:00Z',
      },
    },
    label: 'Achievement Completed',
    description: 'A user completed an achievement',
  },
  'leaderboard.started': {
    data: { leaderboard: { id: 'lb_31aa', key: 'weekly-xp', name: 'Weekly XP', rankBy: 'points', start: '2025-06-09', end: '2025-06-15' } },
    label: 'Leaderboard Started',
    description: 'A leaderboard run started',
  },
  'points.changed': {
    data: {
      user: USER,
      points: { system: { id: 'ps_01', key: 'xp', name: 'XP' }, added: 50, total: 1250, awardedAt: '2025-06-09T10:30:00Z' },
    },
    label: 'Points Changed',
    description: "A user's points total changed",
  },
  'streak.extended': {
    data: {
      user: USER,
      streak: {
        length: 12,
        frequency: 'daily',
        started: '2025-05-29',
        periodStart: '2025-06-09',
        periodEnd: '2025-06-09',
        expires: '2025-06-10',
      },
    },
    label: 'Streak Extended',
    description: "A user's streak was extended",
  },
};

function payload(type: TrophyEventType, occurredAt?: string): TrophyPayload {
  const p = { type, ...cloneJson(samples[type].data) } as TrophyPayload;
  // Trophy sends no id: a distinct time keeps emulated events distinct after hashing.
  if (occurredAt) {
    if ('achievement' in p) p.achievement.achievedAt = occurredAt;
    if ('points' in p) p.points.awardedAt = occurredAt;
    if ('streak' in p) p.streak.periodEnd = occurredAt;
    if ('leaderboard' in p) p.leaderboard.start = occurredAt;
  }
  return p;
}

const events: EventDefinition[] = (Object.keys(samples) as TrophyEventType[]).map((type) => ({
  type,
  label: samples[type].label,
  description: samples[type].description,
  sample: payload(type),
}));

function summarize(type: string, p: Record<string, unknown>): string | undefined {
  const user = isRecord(p.user) ? (str(p.user.name) ?? str(p.user.id)) : undefined;
  if (type === 'achievement.completed' && isRecord(p.achievement)) return `${user} completed "${str(p.achievement.name)}"`;
  if (type === 'points.changed' && isRecord(p.points)) {
    const system = isRecord(p.points.system) ? str(p.points.system.name) : 'points';
    return `${user} gained ${str(p.points.added)} ${system} (total ${str(p.points.total)})`;
  }
  if (type === 'streak.extended' && isRecord(p.streak)) return `${user} extended their streak to ${str(p.streak.length)}`;
  if (type === 'leaderboard.started' && isRecord(p.leaderboard)) return `Leaderboard "${str(p.leaderboard.name)}" started`;
  return undefined;
}

function timeOf(p: Record<string, unknown>): string | undefined {
  if (isRecord(p.achievement)) return isoTime(p.achievement.achievedAt);
  if (isRecord(p.points)) return isoTime(p.points.awardedAt);
  return undefined;
}

export const trophy: ProviderProfile = {
  id: 'trophy',
  name: 'Trophy',
  scheme: base64Scheme({ signature: 'x-trophy-signature' }),
  events,
  allEventsOption: false,
  subscription: {
    kind: 'manual',
    instructions:
      "On the Webhooks page of the Trophy dashboard, create a webhook with this URL, select its events, and paste the webhook's secret here (each Trophy webhook has its own secret).",
  },
  accentColor: 0xf59e0b,
  dashboardHint: 'Trophy dashboard → Webhooks',
  extract(body) {
    const p = isRecord(body) ? body : {};
    const { type, ...data } = p;
    const user = isRecord(p.user) ? (str(p.user.name) ?? str(p.user.id)) : undefined;
    const typeName = str(type);
    return {
      id: str(p.id),
      type: typeName,
      occurredAt: timeOf(p),
      data,
      summary: typeName ? summarize(typeName, p) : undefined,
      subject: user ?? (isRecord(p.leaderboard) ? str(p.leaderboard.name) : undefined),
    };
  },
  samplePayload(type, overrides = {}) {
    findDefinition(events, type);
    return payload(type as TrophyEventType, overrides.occurredAt);
  },
};
