import type { DestinationKind } from '../delivery/destination';

export type SubscriptionAuthType = 'none' | 'bearer' | 'basic' | 'api_key';

/** The body of `POST /webhooks`, as Trakkr's webhook docs document it. */
export interface CreateSubscriptionInput {
  url: string;
  events: string[];
  /** Required by Trakkr. */
  brand_id?: string;
  auth_type?: SubscriptionAuthType;
  auth_token?: string;
  auth_username?: string;
  auth_password?: string;
  api_key_header?: string;
  api_key_value?: string;
  /** Generated (32 random bytes) when not given, and returned. */
  signing_secret?: string;
  headers?: Record<string, string>;
}

/** The webhook object of Trakkr's webhook docs. */
export interface WebhookSubscription {
  id: string;
  object: 'webhook';
  url: string;
  events: string[];
  brand_id: string;
  provider: DestinationKind;
  active: boolean;
  signing_secret: string | null;
  created_at: string;
}
