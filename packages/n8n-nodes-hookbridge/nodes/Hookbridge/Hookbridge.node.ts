import {
  NodeConnectionTypes,
  NodeOperationError,
  type IDataObject,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import {
  parseJsonTemplate,
  renderJsonTemplate,
  renderTemplate,
  templateContext,
  TemplateError,
  type HookEvent,
  type JsonTemplate,
} from '@hookbridge/core/pure';
import { format as slackFormat } from '@hookbridge/slack/pure';
import { format as discordFormat } from '@hookbridge/discord/pure';
import { format as teamsFormat } from '@hookbridge/teams/pure';

/** The item as a canonical event: a Hookbridge Trigger item as is, anything else as the event's data. */
function eventOf(json: IDataObject): HookEvent {
  const looksCanonical = typeof json.type === 'string' && typeof json.provider === 'string';
  const data = looksCanonical ? json.data : json;
  return {
    id: String(json.id ?? ''),
    provider: looksCanonical ? String(json.provider) : 'n8n',
    type: looksCanonical ? String(json.type) : 'item',
    occurredAt: typeof json.occurredAt === 'string' ? json.occurredAt : new Date().toISOString(),
    data,
    summary: typeof json.summary === 'string' ? json.summary : undefined,
    subject: typeof json.subject === 'string' ? json.subject : undefined,
    brand: looksCanonical && json.brand ? (json.brand as unknown as HookEvent['brand']) : undefined,
    workflow: looksCanonical ? ((json.workflow as unknown as HookEvent['workflow']) ?? null) : null,
    raw: json,
  };
}

function where(error: TemplateError): string {
  return [error.path && `at ${error.path}`, error.line && `line ${error.line}`, error.column && `column ${error.column}`]
    .filter(Boolean)
    .join(', ');
}

export class Hookbridge implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Hookbridge',
    name: 'hookbridge',
    icon: { light: 'file:../HookbridgeTrigger/hookbridge.svg', dark: 'file:../HookbridgeTrigger/hookbridge.dark.svg' },
    group: ['transform'],
    version: 1,
    usableAsTool: true,
    subtitle: '={{$parameter["operation"]}}',
    description: 'Format events as Slack, Discord or Teams messages, or render Handlebars templates',
    defaults: { name: 'Hookbridge' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    properties: [
      {
        displayName: 'Operation',
        name: 'operation',
        type: 'options',
        noDataExpression: true,
        default: 'formatMessage',
        options: [
          {
            name: 'Format Message',
            value: 'formatMessage',
            action: 'Format a message',
            description: 'Slack Block Kit, Discord embed or Teams Adaptive Card from the item',
          },
          {
            name: 'Render Template',
            value: 'renderTemplate',
            action: 'Render a template',
            description: 'A Handlebars text or JSON template over the item',
          },
        ],
      },
      {
        displayName: 'Platform',
        name: 'platform',
        type: 'options',
        default: 'slack',
        displayOptions: { show: { operation: ['formatMessage'] } },
        options: [
          { name: 'Slack', value: 'slack' },
          { name: 'Discord', value: 'discord' },
          { name: 'Microsoft Teams', value: 'teams' },
        ],
      },
      {
        displayName: 'Title Template',
        name: 'title',
        type: 'string',
        default: '',
        description: 'Replaces the default title, e.g. {{brand.name}}: {{event.type}}',
        displayOptions: { show: { operation: ['formatMessage'] } },
      },
      {
        displayName: 'Text Template',
        name: 'text',
        type: 'string',
        default: '',
        description: 'Replaces the default summary line',
        displayOptions: { show: { operation: ['formatMessage'] } },
      },
      {
        displayName: 'Mode',
        name: 'mode',
        type: 'options',
        default: 'text',
        displayOptions: { show: { operation: ['renderTemplate'] } },
        options: [
          { name: 'Text', value: 'text' },
          { name: 'JSON', value: 'json', description: 'Each string is a template; "{{expr}}" alone keeps its type' },
        ],
      },
      {
        displayName: 'Template',
        name: 'template',
        type: 'string',
        typeOptions: { rows: 6 },
        default: '{{summary}}',
        description: 'Handlebars. Variables: event.type, event.data.*, brand.name, summary, timestamp, and the whole item as "item".',
        displayOptions: { show: { operation: ['renderTemplate'] } },
      },
      {
        displayName: 'Output Field',
        name: 'field',
        type: 'string',
        default: 'rendered',
        displayOptions: { show: { operation: ['renderTemplate'] } },
      },
      {
        displayName: 'Fail on Missing Variables',
        name: 'strict',
        type: 'boolean',
        default: false,
        description: 'Whether a reference to a missing variable is an error rather than empty text',
        displayOptions: { show: { operation: ['renderTemplate'] } },
      },
    ],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const out: INodeExecutionData[] = [];
    for (let i = 0; i < items.length; i++) {
      const operation = this.getNodeParameter('operation', i) as string;
      const event = eventOf(items[i]!.json);
      try {
        if (operation === 'formatMessage') {
          const platform = this.getNodeParameter('platform', i) as string;
          const options = {
            title: (this.getNodeParameter('title', i, '') as string) || undefined,
            text: (this.getNodeParameter('text', i, '') as string) || undefined,
          };
          const message =
            platform === 'slack'
              ? slackFormat(event, options)
              : platform === 'discord'
                ? discordFormat(event, options)
                : teamsFormat(event, options);
          out.push({ json: { platform, message: message as unknown as IDataObject }, pairedItem: { item: i } });
        } else {
          const source = this.getNodeParameter('template', i) as string;
          const context = { ...templateContext(event), item: items[i]!.json };
          const strict = this.getNodeParameter('strict', i, false) as boolean;
          const rendered =
            this.getNodeParameter('mode', i) === 'json'
              ? renderJsonTemplate(parseJsonTemplate(source) as JsonTemplate, context, { strict })
              : renderTemplate(source, context, { strict });
          out.push({
            json: { ...items[i]!.json, [this.getNodeParameter('field', i) as string]: rendered as IDataObject },
            pairedItem: { item: i },
          });
        }
      } catch (error) {
        if (this.continueOnFail()) {
          out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
          continue;
        }
        if (error instanceof TemplateError) {
          throw new NodeOperationError(this.getNode(), error.message, { itemIndex: i, description: `Template problem ${where(error)}` });
        }
        throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
      }
    }
    return [out];
  }
}
