import { WebhookVerificationError } from '../errors';
import type { EventUnion } from '../event';
import { createGenericProvider, standard, type GenericProviderConfig } from './standard';
import { trackpilots, type TrackpilotsEventData } from './trackpilots';
import { trackscore, type TrackScoreEventData } from './trackscore';
import { trakkr, type TrakkrEventData } from './trakkr';
import { trophy, type TrophyEventData } from './trophy';
import type { ProviderProfile } from './types';

export * from './types';
export * from './trackscore';
export * from './trakkr';
export * from './trophy';
export * from './trackpilots';
export { standard, createGenericProvider, type GenericProviderConfig } from './standard';

/** Every built-in event, narrowed by `provider` and then `type`. */
export type KnownHookEvent =
  | EventUnion<'trackscore', TrackScoreEventData>
  | EventUnion<'trakkr', TrakkrEventData>
  | EventUnion<'trophy', TrophyEventData>
  | EventUnion<'trackpilots', TrackpilotsEventData>;

export type BuiltInProviderId = 'trackscore' | 'trakkr' | 'trophy' | 'trackpilots' | 'standard';

const registry = new Map<string, ProviderProfile>([trackscore, trakkr, trophy, trackpilots, standard].map((p) => [p.id, p]));

/** The built-in profiles plus any registered ones, in registration order. */
export function listProviders(): ProviderProfile[] {
  return [...registry.values()];
}

export function registerProvider(profile: ProviderProfile): void {
  registry.set(profile.id, profile);
}

/** Looks up a profile by id; throws `unknown_provider` for a name nobody registered. */
export function getProvider(id: string): ProviderProfile {
  const profile = registry.get(id.toLowerCase());
  if (!profile) {
    throw new WebhookVerificationError('unknown_provider', `Unknown provider "${id}" (known: ${[...registry.keys()].join(', ')})`);
  }
  return profile;
}

/** Accepts a profile, a registered id, or a generic configuration. */
export function resolveProvider(spec: string | ProviderProfile | GenericProviderConfig): ProviderProfile {
  if (typeof spec === 'string') return getProvider(spec);
  if ('extract' in spec) return spec;
  return createGenericProvider(spec);
}

/** Whether `type` matches a selection like `score.*`, `*` or an exact name. */
export function eventMatches(type: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    if (pattern === '*' || pattern === type) return true;
    if (!pattern.includes('*')) return false;
    const regex = new RegExp('^' + pattern.split('*').map(escapeRegex).join('.*') + '$');
    return regex.test(type);
  });
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
