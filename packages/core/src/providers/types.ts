import type { EventBrand, EventWorkflow } from '../event';
import type { SignatureScheme, VerifiedSignature } from '../signatures/types';

export interface EventDefinition {
  /** The event name exactly as the provider sends it, e.g. `score.updated`. */
  type: string;
  /** Title-case noun phrase for UIs: "Score Updated". */
  label: string;
  description: string;
  /** A realistic payload of this type, shaped as the provider's docs show. */
  sample: unknown;
}

/** How a provider's REST-hook management API is laid out (Trakkr's webhook docs describe Trakkr's). */
export interface RestHookApi {
  /** Default base URL, when the provider publishes one; otherwise the user supplies it. */
  baseUrl?: string;
  paths: {
    list: string;
    create: string;
    /** `:id` is replaced by the subscription id. */
    get: string;
    delete: string;
    test: string;
  };
  /** Header carrying the API key; its value is `${authPrefix}${apiKey}`. */
  authHeader: string;
  authPrefix: string;
  /** Field names of the create body, when they differ from the ones Trakkr documents. */
  fields: { url: string; events: string; secret: string; scope?: string };
  /** Name of the scope field the API requires (Trakkr: `brand_id`), if any. */
  requiredScope?: string;
}

export type SubscriptionMode = { kind: 'manual'; instructions: string } | { kind: 'rest-hook'; api: RestHookApi };

/** What a profile reads out of a verified payload. */
export interface ExtractedEvent {
  id?: string;
  type?: string;
  occurredAt?: string;
  data: unknown;
  summary?: string;
  subject?: string;
  brand?: EventBrand;
  workflow?: EventWorkflow | null;
}

export interface ExtractContext {
  verified: VerifiedSignature;
  /** Unix seconds when the request was received. */
  now: number;
}

export interface ProviderProfile {
  /** Registry key, lower case: `trackscore`, `trakkr`, ... */
  id: string;
  /** Display name: `TrackScore`. */
  name: string;
  scheme: SignatureScheme;
  /** The full catalogue; empty means the provider accepts any type (standard, generic). */
  events: readonly EventDefinition[];
  /** Whether the provider lets a subscription ask for "all events" (Trackpilots does). */
  allEventsOption: boolean;
  subscription: SubscriptionMode;
  /** Brand colour used by the formatters (0xRRGGBB). */
  accentColor: number;
  /** Where the provider's dashboard lets users configure webhooks, for manual set-up. */
  dashboardHint?: string;
  extract(payload: unknown, context: ExtractContext): ExtractedEvent;
  /** Builds a payload of `type` for samples and the emulator, with optional overrides. */
  samplePayload(type: string, overrides?: { id?: string; occurredAt?: string }): unknown;
}
