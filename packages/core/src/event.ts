/** The brand an event concerns (Trakkr's `brand` object; Trakkr's webhook docs templating variables). */
export interface EventBrand {
  id: string;
  name: string;
  website?: string;
}

/** The workflow that triggered an event (Trakkr's `workflow`, nullable there). */
export interface EventWorkflow {
  id?: string;
  name: string;
}

/**
 * The one canonical event everything downstream of verification speaks. A provider's
 * quirks (where id, type and time live) are resolved by its profile.
 */
export interface HookEvent<Provider extends string = string, Type extends string = string, Data = unknown> {
  /** Stable across the provider's retries: the payload's id, or a hash of the body when it has none. */
  id: string;
  provider: Provider;
  type: Type;
  /** ISO 8601 time the event happened (or was received, when the payload carries no time). */
  occurredAt: string;
  data: Data;
  /** One human-readable line, from the provider or the profile. */
  summary?: string;
  /** What the event is about, for titles: a participant, a brand, a user. */
  subject?: string;
  brand?: EventBrand;
  workflow?: EventWorkflow | null;
  /** The parsed payload exactly as the provider sent it. */
  raw: unknown;
}

/** Turns an event-type → data map into the union of narrowed events of one provider. */
export type EventUnion<Provider extends string, DataByType> = {
  [Type in keyof DataByType & string]: HookEvent<Provider, Type, DataByType[Type]>;
}[keyof DataByType & string];
