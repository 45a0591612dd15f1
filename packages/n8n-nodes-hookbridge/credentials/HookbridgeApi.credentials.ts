import type {
  ICredentialDataDecryptedObject,
  ICredentialTestRequest,
  ICredentialType,
  IHttpRequestOptions,
  INodeProperties,
  Icon,
} from 'n8n-workflow';
import { apiAuth, authHeaders, type OutboundAuth } from '@hookbridge/core/pure';

/** The provider-API auth of a saved credential (Trakkr's documented types; `bearer` for credentials saved before the choice existed). */
export function credentialAuth(credentials: ICredentialDataDecryptedObject): OutboundAuth {
  const text = (name: string) => (typeof credentials[name] === 'string' ? (credentials[name] as string) : undefined);
  return apiAuth({
    authType: text('authType'),
    apiKey: text('apiKey'),
    apiKeyHeader: text('headerName'),
    username: text('username'),
    password: text('password'),
  });
}

export class HookbridgeApi implements ICredentialType {
  name = 'hookbridgeApi';

  displayName = 'Hookbridge (Webhook Provider) API';

  icon: Icon = { light: 'file:../nodes/HookbridgeTrigger/hookbridge.svg', dark: 'file:../nodes/HookbridgeTrigger/hookbridge.dark.svg' };

  documentationUrl = 'https://github.com/hookbridge/hookbridge/tree/main/packages/n8n-nodes-hookbridge#credentials';

  properties: INodeProperties[] = [
    {
      displayName: 'API Base URL',
      name: 'baseUrl',
      type: 'string',
      default: '',
      placeholder: 'https://api.trakkr.example/v1',
      description: 'Providers with a webhook API (Trakkr): the base URL that serves /webhooks. Leave empty for the others.',
    },
    {
      displayName: 'API Authentication',
      name: 'authType',
      type: 'options',
      options: [
        { name: 'Bearer Token', value: 'bearer', description: 'Authorization: Bearer <key> (Trakkr)' },
        { name: 'API Key Header', value: 'api_key', description: 'The key in a header of your choice' },
        { name: 'Basic Auth', value: 'basic', description: 'Username and password' },
        { name: 'None', value: 'none', description: 'The API needs no credentials (e.g. a private network)' },
      ],
      default: 'bearer',
      description: "How the provider API wants the key (the auth types of Trakkr's webhook docs)",
    },
    {
      displayName: 'API Key',
      name: 'apiKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      displayOptions: { show: { authType: ['bearer', 'api_key'] } },
      description: 'The key for the provider API (providers with a webhook API only)',
    },
    {
      displayName: 'API Key Header',
      name: 'headerName',
      type: 'string',
      default: 'X-API-Key',
      displayOptions: { show: { authType: ['api_key'] } },
      description: 'Name of the header that carries the key',
    },
    {
      displayName: 'Username',
      name: 'username',
      type: 'string',
      default: '',
      displayOptions: { show: { authType: ['basic'] } },
    },
    {
      displayName: 'Password',
      name: 'password',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      displayOptions: { show: { authType: ['basic'] } },
    },
    {
      displayName: 'Signing Secrets',
      name: 'signingSecrets',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'Providers set up in their dashboard (TrackScore, Trophy, Trackpilots, Standard Webhooks): the webhook secret. Several, comma-separated, while rotating. Providers with an API get a generated secret per workflow instead.',
    },
  ];

  // A function rather than a generic header map: the header's name depends on the auth type.
  async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
    return { ...requestOptions, headers: { ...requestOptions.headers, ...authHeaders(credentialAuth(credentials)) } };
  }

  test: ICredentialTestRequest = {
    request: { baseURL: '={{$credentials.baseUrl}}', url: '/webhooks', method: 'GET' },
  };
}
