import type { INodeProperties } from 'n8n-workflow';
import { listProviders, SCHEME_NAMES } from '@hookbridge/core/pure';

const catalogued = listProviders().filter((p) => p.events.length > 0);

/** One events field per provider, shown for that provider: the options come from its profile. */
const eventFields: INodeProperties[] = catalogued.map((profile) => ({
  displayName: 'Events',
  name: `${profile.id}Events`,
  type: 'multiOptions',
  required: true,
  default: ['*'],
  description: `The ${profile.name} events that start the workflow`,
  displayOptions: { show: { provider: [profile.id] } },
  options: [
    { name: 'All Events', value: '*', description: `Every ${profile.name} event` },
    ...profile.events.map((e) => ({ name: e.label, value: e.type, description: e.description })),
  ],
}));

export const triggerProperties: INodeProperties[] = [
  {
    displayName: 'Provider',
    name: 'provider',
    type: 'options',
    noDataExpression: true,
    default: 'standard',
    options: [
      ...catalogued.map((p) => ({
        name: p.name,
        value: p.id,
        description: p.subscription.kind === 'rest-hook' ? 'Subscribes automatically through its API' : 'Set up in its dashboard',
      })),
      { name: 'Standard Webhooks', value: 'standard', description: 'Any sender following standardwebhooks.com' },
      { name: 'Generic', value: 'generic', description: 'Choose the signature scheme and where the fields are' },
    ],
  },
  ...catalogued
    .filter((p) => p.subscription.kind === 'manual')
    .map((p): INodeProperties => ({
      displayName: `${p.subscription.kind === 'manual' ? p.subscription.instructions : ''} The webhook URL is shown above, under Webhook URLs.`,
      name: `${p.id}Notice`,
      type: 'notice',
      default: '',
      displayOptions: { show: { provider: [p.id] } },
    })),
  {
    displayName: 'Brand ID',
    name: 'brandId',
    type: 'string',
    required: true,
    default: '',
    description: 'The Trakkr brand (UUID) whose events start the workflow',
    displayOptions: { show: { provider: ['trakkr'] } },
  },
  ...eventFields,
  {
    displayName: 'Event Types',
    name: 'eventPatterns',
    type: 'string',
    default: '*',
    description: 'Comma-separated event types; wildcards like order.* work',
    displayOptions: { show: { provider: ['standard', 'generic'] } },
  },
  {
    displayName: 'Signature Scheme',
    name: 'scheme',
    type: 'options',
    default: 'hmac-sha256-hex',
    displayOptions: { show: { provider: ['generic'] } },
    options: SCHEME_NAMES.map((s) => ({ name: s, value: s })),
  },
  {
    displayName: 'Signature Header',
    name: 'signatureHeader',
    type: 'string',
    default: 'x-signature',
    displayOptions: { show: { provider: ['generic'] } },
  },
  {
    displayName: 'Timestamp Header',
    name: 'timestampHeader',
    type: 'string',
    default: '',
    description: 'For the timestamped scheme',
    displayOptions: { show: { provider: ['generic'] } },
  },
  {
    displayName: 'Field Paths',
    name: 'paths',
    type: 'collection',
    default: {},
    placeholder: 'Add Path',
    displayOptions: { show: { provider: ['generic'] } },
    options: [
      { displayName: 'ID Path', name: 'id', type: 'string', default: 'id' },
      { displayName: 'Type Path', name: 'type', type: 'string', default: 'type' },
      { displayName: 'Time Path', name: 'time', type: 'string', default: 'timestamp' },
    ],
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [
      {
        displayName: 'Dedupe Window (Seconds)',
        name: 'dedupeSeconds',
        type: 'number',
        default: 86400,
        description: 'Drop a second delivery of the same event ID within this time. 0 turns it off.',
      },
      {
        displayName: 'Include Headers',
        name: 'includeHeaders',
        type: 'boolean',
        default: false,
        description: 'Whether to add the request headers (signatures redacted) to the output',
      },
      {
        displayName: 'JSON Template',
        name: 'template',
        type: 'json',
        default: '{\n  "text": "{{summary}}",\n  "type": "{{event.type}}",\n  "data": "{{event.data}}"\n}',
        description: 'Each string is a Handlebars template; "{{expr}}" alone keeps the value\'s type',
        displayOptions: { show: { output: ['template'] } },
      },
      {
        displayName: 'Output',
        name: 'output',
        type: 'options',
        default: 'event',
        options: [
          {
            name: 'Canonical Event',
            value: 'event',
            description: 'ID, provider, type, time, summary and data, the same for every provider',
          },
          { name: 'Original Payload', value: 'payload', description: 'The body exactly as the provider sent it' },
          { name: 'Template', value: 'template', description: 'Shaped by a JSON template' },
        ],
      },
      {
        displayName: 'Timestamp Tolerance (Seconds)',
        name: 'toleranceSeconds',
        type: 'number',
        default: 300,
        description: 'For signed timestamps: how far from now they may be, either way',
      },
    ],
  },
];
