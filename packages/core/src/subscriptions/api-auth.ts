import { SubscriptionError } from '../errors';
import type { OutboundAuth } from '../delivery/auth';

/** The auth types of Trakkr's webhook docs, offered for a provider's API as for webhook delivery. */
export const API_AUTH_TYPES = ['bearer', 'api_key', 'basic', 'none'] as const;
export type ApiAuthType = (typeof API_AUTH_TYPES)[number];

/** What a connector's credential form holds (n8n credential, Zapier connection). */
export interface ApiCredentials {
  /** Default `bearer`. */
  authType?: string;
  /** The token (bearer), the header's value (api_key), or the password (basic) when `password` is not set. */
  apiKey?: string;
  /** api_key: the header's name. Default `X-API-Key`. */
  apiKeyHeader?: string;
  username?: string;
  password?: string;
}

export const DEFAULT_API_KEY_HEADER = 'X-API-Key';

// RFC 9110 token: what a header name may contain.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Turns a credential form into the auth the API client sends, or a clear error. */
export function apiAuth(credentials: ApiCredentials): OutboundAuth {
  const type = credentials.authType || 'bearer';
  const key = credentials.apiKey ?? '';
  switch (type) {
    case 'none':
      return { type: 'none' };
    case 'bearer':
      if (!key) throw new SubscriptionError('validation_failed', 'The API key is empty (auth type "bearer")');
      return { type: 'bearer', token: key };
    case 'api_key': {
      const header = (credentials.apiKeyHeader || DEFAULT_API_KEY_HEADER).trim();
      if (!HEADER_NAME.test(header)) throw new SubscriptionError('validation_failed', `"${header}" is not a valid header name`);
      if (!key) throw new SubscriptionError('validation_failed', 'The API key is empty (auth type "api_key")');
      return { type: 'api_key', header, value: key };
    }
    case 'basic': {
      const password = credentials.password ?? key;
      if (!credentials.username) throw new SubscriptionError('validation_failed', 'Basic auth needs a username');
      if (credentials.username.includes(':')) throw new SubscriptionError('validation_failed', 'A Basic auth username cannot contain ":"');
      return { type: 'basic', username: credentials.username, password };
    }
    default:
      throw new SubscriptionError('validation_failed', `Unknown auth type "${type}" (one of ${API_AUTH_TYPES.join(', ')})`);
  }
}
