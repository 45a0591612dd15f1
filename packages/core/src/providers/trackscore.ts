import type { EventUnion } from '../event';
import { isRecord } from '../json-path';
import { hexPrefixedScheme } from '../signatures/hex-prefixed';
import { cloneJson, findDefinition, isoTime, str } from './helpers';
import type { EventDefinition, ProviderProfile } from './types';

/** TrackScore: leaderboards and competitions. */

export interface TrackScoreMeta {
  webhook_url: string;
  delivery_attempt: number;
  api_version: string;
}

export interface TrackScoreEventData {
  'score.updated': {
    leaderboard_id: string;
    participant_id: string;
    old_score: number;
    new_score: number;
    rank_change?: { old_rank: number; new_rank: number };
  };
  'leaderboard.created': { leaderboard_id: string; name: string; competition_id?: string };
  'leaderboard.updated': { leaderboard_id: string; name: string; changes: Record<string, unknown> };
  'ranking.changed': { leaderboard_id: string; participant_id: string; old_rank: number; new_rank: number };
  'competition.started': { competition_id: string; name: string; starts_at: string; ends_at?: string };
  'competition.ended': { competition_id: string; name: string; ended_at: string; winner_participant_id?: string };
  'participant.added': { participant_id: string; leaderboard_id: string; name: string; team_id?: string };
  'participant.updated': { participant_id: string; name: string; changes: Record<string, unknown> };
  'team.created': { team_id: string; name: string; leaderboard_id?: string };
  'team.member_added': { team_id: string; participant_id: string; team_name?: string; participant_name?: string };
  'achievement.unlocked': { participant_id: string; achievement_id: string; name: string; leaderboard_id?: string };
  'milestone.reached': { participant_id: string; milestone: string; value: number; leaderboard_id?: string };
}

export type TrackScoreEventType = keyof TrackScoreEventData;

export interface TrackScorePayload<T extends TrackScoreEventType = TrackScoreEventType> {
  id: string;
  type: T;
  created: string;
  data: TrackScoreEventData[T];
  meta: TrackScoreMeta;
}

export type TrackScoreEvent = EventUnion<'trackscore', TrackScoreEventData>;

const samples: { [T in TrackScoreEventType]: TrackScoreEventData[T] } = {
  'score.updated': {
    leaderboard_id: 'lb_987654321',
    participant_id: 'pt_555666777',
    old_score: 850,
    new_score: 950,
    rank_change: { old_rank: 5, new_rank: 3 },
  },
  'leaderboard.created': { leaderboard_id: 'lb_987654321', name: 'Spring Sprint 2025', competition_id: 'cmp_2025_spring' },
  'leaderboard.updated': { leaderboard_id: 'lb_987654321', name: 'Spring Sprint 2025', changes: { scoring: 'best_of_3' } },
  'ranking.changed': { leaderboard_id: 'lb_987654321', participant_id: 'pt_555666777', old_rank: 5, new_rank: 3 },
  'competition.started': {
    competition_id: 'cmp_2025_spring',
    name: 'Spring Championship',
    starts_at: '2025-06-09T09:00:00Z',
    ends_at: '2025-06-30T18:00:00Z',
  },
  'competition.ended': {
    competition_id: 'cmp_2025_spring',
    name: 'Spring Championship',
    ended_at: '2025-06-30T18:00:00Z',
    winner_participant_id: 'pt_555666777',
  },
  'participant.added': { participant_id: 'pt_555666777', leaderboard_id: 'lb_987654321', name: 'Ada Runner', team_id: 'tm_42' },
  'participant.updated': { participant_id: 'pt_555666777', name: 'Ada Runner', changes: { display_name: 'Ada R.' } },
  'team.created': { team_id: 'tm_42', name: 'Night Owls', leaderboard_id: 'lb_987654321' },
  'team.member_added': { team_id: 'tm_42', participant_id: 'pt_555666777', team_name: 'Night Owls', participant_name: 'Ada Runner' },
  'achievement.unlocked': {
    participant_id: 'pt_555666777',
    achievement_id: 'ach_first_win',
    name: 'First Win',
    leaderboard_id: 'lb_987654321',
  },
  'milestone.reached': { participant_id: 'pt_555666777', milestone: '1000 points', value: 1000, leaderboard_id: 'lb_987654321' },
};

const descriptions: Record<TrackScoreEventType, [string, string]> = {
  'score.updated': ['Score Updated', 'Score changes'],
  'leaderboard.created': ['Leaderboard Created', 'New leaderboard'],
  'leaderboard.updated': ['Leaderboard Updated', 'Leaderboard changes'],
  'ranking.changed': ['Ranking Changed', 'Position updates'],
  'competition.started': ['Competition Started', 'Competition begins'],
  'competition.ended': ['Competition Ended', 'Competition ends'],
  'participant.added': ['Participant Added', 'New participant'],
  'participant.updated': ['Participant Updated', 'Info changes'],
  'team.created': ['Team Created', 'New team'],
  'team.member_added': ['Team Member Added', 'Team member joins'],
  'achievement.unlocked': ['Achievement Unlocked', 'Milestone reached'],
  'milestone.reached': ['Milestone Reached', 'Goals achieved'],
};

function payload(type: TrackScoreEventType, id = 'wh_1234567890abcdef', created = '2025-06-09T10:30:00Z'): TrackScorePayload {
  return {
    id,
    type,
    created,
    data: cloneJson(samples[type]),
    meta: { webhook_url: 'https://your-app.com/webhooks', delivery_attempt: 1, api_version: '1.0' },
  };
}

const events: EventDefinition[] = (Object.keys(samples) as TrackScoreEventType[]).map((type) => ({
  type,
  label: descriptions[type][0],
  description: descriptions[type][1],
  sample: payload(type),
}));

function summarize(type: string, data: Record<string, unknown>): string | undefined {
  const who = str(data.participant_name) ?? str(data.participant_id);
  switch (type) {
    case 'score.updated': {
      const rank = isRecord(data.rank_change) ? ` (rank ${str(data.rank_change.old_rank)} → ${str(data.rank_change.new_rank)})` : '';
      return `${who} scored ${str(data.old_score)} → ${str(data.new_score)}${rank}`;
    }
    case 'ranking.changed':
      return `${who} moved from rank ${str(data.old_rank)} to ${str(data.new_rank)}`;
    case 'achievement.unlocked':
      return `${who} unlocked "${str(data.name)}"`;
    case 'milestone.reached':
      return `${who} reached ${str(data.milestone)}`;
    case 'team.member_added':
      return `${who} joined ${str(data.team_name) ?? str(data.team_id)}`;
    default: {
      const name = str(data.name);
      return name ? `${descriptions[type as TrackScoreEventType]?.[0] ?? type}: ${name}` : undefined;
    }
  }
}

export const trackscore: ProviderProfile = {
  id: 'trackscore',
  name: 'TrackScore',
  // TrackScore's webhook docs sign `JSON.stringify(req.body)`: accept that too, after the raw bytes.
  scheme: hexPrefixedScheme({ signature: 'x-trackscore-signature' }, { reserialisedJson: true }),
  events,
  allEventsOption: false,
  subscription: {
    kind: 'manual',
    instructions: 'In the TrackScore dashboard, add this URL as a webhook endpoint, select the events, and paste its signing secret here.',
  },
  accentColor: 0x2563eb,
  dashboardHint: 'TrackScore dashboard → Webhooks',
  extract(body) {
    const p = isRecord(body) ? body : {};
    const data = isRecord(p.data) ? p.data : {};
    const type = str(p.type);
    return {
      id: str(p.id),
      type,
      occurredAt: isoTime(p.created),
      data: p.data,
      summary: type ? summarize(type, data) : undefined,
      subject: str(data.participant_name) ?? str(data.name) ?? str(data.participant_id) ?? str(data.leaderboard_id),
    };
  },
  samplePayload(type, overrides = {}) {
    findDefinition(events, type);
    return payload(type as TrackScoreEventType, overrides.id, overrides.occurredAt);
  },
};
