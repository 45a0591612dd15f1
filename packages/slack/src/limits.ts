import { truncateText } from '@hookbridge/core/pure';

/** Block Kit limits (api.slack.com/reference/block-kit). Enforced, never hoped for. */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  buttonText: 75,
  url: 3000,
  fallbackText: 40_000,
} as const;

type Json = Record<string, unknown>;

function clampText(obj: unknown, max: number): void {
  if (obj && typeof obj === 'object' && typeof (obj as Json).text === 'string') {
    const text = (obj as Json).text as string;
    // Slack rejects empty text objects as well as long ones.
    (obj as Json).text = text === '' ? ' ' : truncateText(text, max);
  }
}

/** Cuts every block of a (default or user-templated) message down to Slack's limits. */
export function enforceSlackLimits<M extends { text?: string; blocks?: unknown[] }>(message: M): M {
  if (typeof message.text === 'string') message.text = truncateText(message.text, SLACK_LIMITS.fallbackText);
  if (!Array.isArray(message.blocks)) return message;
  message.blocks = message.blocks.slice(0, SLACK_LIMITS.blocks);
  for (const block of message.blocks as Json[]) {
    switch (block.type) {
      case 'header':
        clampText(block.text, SLACK_LIMITS.headerText);
        break;
      case 'section':
        clampText(block.text, SLACK_LIMITS.sectionText);
        if (Array.isArray(block.fields)) {
          block.fields = block.fields.slice(0, SLACK_LIMITS.fields);
          for (const field of block.fields as unknown[]) clampText(field, SLACK_LIMITS.fieldText);
        }
        break;
      case 'context':
        if (Array.isArray(block.elements)) {
          block.elements = block.elements.slice(0, SLACK_LIMITS.contextElements);
          for (const element of block.elements as unknown[]) clampText(element, SLACK_LIMITS.contextText);
        }
        break;
      case 'actions':
        for (const element of (block.elements as Json[] | undefined) ?? []) {
          clampText(element.text, SLACK_LIMITS.buttonText);
          if (typeof element.url === 'string' && element.url.length > SLACK_LIMITS.url) delete element.url;
        }
        break;
    }
  }
  return message;
}
