import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

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
      displayName: 'API Key',
      name: 'apiKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: 'Sent as "Authorization: Bearer <key>" to the provider API',
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

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
  };

  test: ICredentialTestRequest = {
    request: { baseURL: '={{$credentials.baseUrl}}', url: '/webhooks', method: 'GET' },
  };
}
