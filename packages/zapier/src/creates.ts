import type { Bundle, ZObject } from 'zapier-platform-core';
import {
  renderJsonTemplate,
  renderTemplate,
  parseJsonTemplate,
  templateContext,
  TemplateError,
  listProviders,
  type HookEvent,
} from '@hookbridge/core';
// Formatters only (not their senders): the Zap posts the payload with a Webhooks by Zapier step.
import { format as slackFormat } from '@hookbridge/slack/pure';
import { format as discordFormat } from '@hookbridge/discord/pure';
import { format as teamsFormat } from '@hookbridge/teams/pure';

function parseData(z: ZObject, value: unknown, field: string): unknown {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new z.errors.Error(`${field} is not valid JSON: ${(error as Error).message}`, 'InvalidJSON', 400);
  }
}

function templateFailure(z: ZObject, error: unknown): Error {
  if (error instanceof TemplateError) {
    const where = [error.path && `at ${error.path}`, error.line && `line ${error.line}`, error.column && `column ${error.column}`]
      .filter(Boolean)
      .join(', ');
    return new z.errors.Error(`${error.message}${where ? ` (${where})` : ''}`, error.code, 400);
  }
  return error as Error;
}

function eventFromInput(z: ZObject, bundle: Bundle): HookEvent {
  const input = bundle.inputData as Record<string, unknown>;
  const data = parseData(z, input.data, 'Data');
  return {
    id: String(input.event_id || `zap_${Date.now()}`),
    provider: String(input.provider || 'hookbridge'),
    type: String(input.event_type || 'event'),
    occurredAt: String(input.occurred_at || new Date().toISOString()),
    data,
    summary: input.text ? String(input.text) : undefined,
    subject: input.subject ? String(input.subject) : undefined,
    raw: data,
  };
}

const providerChoices = Object.fromEntries(listProviders().map((p) => [p.id, p.name]));

export const formatMessage = {
  key: 'format_message',
  noun: 'Message',
  display: {
    label: 'Format Message for Slack, Discord or Teams',
    description: 'Builds a Slack Block Kit, Discord embed or Teams Adaptive Card payload, ready for a Webhooks by Zapier POST.',
  },
  operation: {
    inputFields: [
      {
        key: 'platform',
        label: 'Platform',
        required: true,
        choices: { slack: 'Slack (Block Kit)', discord: 'Discord (embed)', teams: 'Microsoft Teams (Adaptive Card)' },
      },
      { key: 'provider', label: 'Provider', required: false, choices: providerChoices, helpText: 'Sets the colour and labels.' },
      { key: 'event_type', label: 'Event Type', required: true, helpText: 'For example `score.updated` (map it from the trigger).' },
      { key: 'event_id', label: 'Event ID', required: false },
      { key: 'subject', label: 'Subject', required: false, helpText: 'Shown in the title, e.g. a participant or brand name.' },
      { key: 'text', label: 'Summary', required: false, helpText: 'The main line of the message.' },
      { key: 'occurred_at', label: 'Occurred At', required: false, type: 'datetime' },
      {
        key: 'data',
        label: 'Data',
        required: false,
        dict: true,
        helpText: 'Fields shown in the message (old → new pairs such as old_score/new_score are combined).',
      },
    ],
    perform: async (z: ZObject, bundle: Bundle) => {
      const event = eventFromInput(z, bundle);
      const platform = String(bundle.inputData.platform);
      const message = platform === 'slack' ? slackFormat(event) : platform === 'discord' ? discordFormat(event) : teamsFormat(event);
      return { platform, payload: JSON.stringify(message), content_type: 'application/json', message };
    },
    sample: {
      platform: 'slack',
      payload: '{"text":"Score Updated: …","blocks":[]}',
      content_type: 'application/json',
      message: { text: 'Score Updated: …', blocks: [] },
    },
    outputFields: [
      { key: 'platform', label: 'Platform' },
      { key: 'payload', label: 'Payload (JSON, for the request body)' },
      { key: 'content_type', label: 'Content Type' },
    ],
  },
};

export const renderTemplateCreate = {
  key: 'render_template',
  noun: 'Template',
  display: {
    label: 'Render Template',
    description:
      'Renders a Handlebars text or JSON template over data you map (template variables as the providers document them: event.type, event.data.*, brand.name, summary…).',
  },
  operation: {
    inputFields: [
      {
        key: 'mode',
        label: 'Mode',
        required: true,
        choices: { text: 'Text', json: 'JSON (each string leaf is a template)' },
        default: 'text',
      },
      {
        key: 'template',
        label: 'Template',
        required: true,
        type: 'text',
        helpText: 'Handlebars, e.g. `{{brand.name}} scored {{number event.data.new_score}}`.',
      },
      { key: 'provider', label: 'Provider', required: false, choices: providerChoices },
      { key: 'event_type', label: 'Event Type', required: false },
      { key: 'text', label: 'Summary', required: false },
      {
        key: 'data',
        label: 'Data (JSON)',
        required: false,
        type: 'text',
        helpText: 'The event data as JSON: available as `event.data` and `data`.',
      },
      { key: 'strict', label: 'Fail on Missing Variables', required: false, type: 'boolean', default: 'false' },
    ],
    perform: async (z: ZObject, bundle: Bundle) => {
      const event = eventFromInput(z, bundle);
      const context = templateContext(event);
      const strict = String(bundle.inputData.strict) === 'true';
      const source = String(bundle.inputData.template ?? '');
      try {
        if (bundle.inputData.mode === 'json') {
          const output = renderJsonTemplate(parseJsonTemplate(source), context, { strict });
          return { result: JSON.stringify(output), output };
        }
        return { result: renderTemplate(source, context, { strict }) };
      } catch (error) {
        throw templateFailure(z, error);
      }
    },
    sample: { result: 'Acme Coffee visibility changed to 51' },
    outputFields: [{ key: 'result', label: 'Result' }],
  },
};

export const creates = { [formatMessage.key]: formatMessage, [renderTemplateCreate.key]: renderTemplateCreate };
