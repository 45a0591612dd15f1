import type { KnownBlock, SectionBlock } from '@slack/types';
import {
  digestEvent,
  escapeSlack,
  neutralizeSlackMentions,
  mapStrings,
  renderJsonTemplate,
  renderTemplate,
  templateContext,
  truncateText,
  type HookEvent,
  type JsonTemplate,
} from '@hookbridge/core/pure';
import { enforceSlackLimits, SLACK_LIMITS } from './limits';

/** What `chat.postMessage` and incoming webhooks accept. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
  unfurl_links?: boolean;
  unfurl_media?: boolean;
}

export interface SlackFormatOptions {
  /** A JSON template producing the whole message (`{ "text": …, "blocks": […] }`), rendered with Slack escaping. */
  template?: JsonTemplate;
  /** A text template replacing the default summary line. */
  text?: string;
  /** A text template replacing the default header. */
  title?: string;
  /** Let templates produce `<!channel>`, `<!here>` and user mentions. Off by default. */
  allowMentions?: boolean;
  /** Label of the link button. Default "Open". */
  linkLabel?: string;
}

/** Room for field sections once header, summary, actions and context are placed. */
const MAX_FIELD_SECTIONS = SLACK_LIMITS.blocks - 4;

function mrkdwnFieldsSections(all: { name: string; value: string }[]): SectionBlock[] {
  const room = MAX_FIELD_SECTIONS * SLACK_LIMITS.fields;
  const fields = all.length > room ? [...all.slice(0, room - 1), { name: 'More', value: `${all.length - room + 1} more fields` }] : all;
  const sections: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.fields) {
    sections.push({
      type: 'section',
      fields: fields.slice(i, i + SLACK_LIMITS.fields).map((f) => ({
        type: 'mrkdwn',
        text: truncateText(`*${escapeSlack(f.name)}*\n${escapeSlack(f.value)}`, SLACK_LIMITS.fieldText),
      })),
    });
  }
  return sections;
}

/**
 * Block Kit message for an event: a header, the summary, the data as fields (old → new
 * where the event has both), a link button, and a context line with provider and time.
 * Pure: builds the message, sends nothing.
 */
export function format(event: HookEvent, options: SlackFormatOptions = {}): SlackMessage {
  const context = templateContext(event);
  const safe = (text: string) => (options.allowMentions ? text : neutralizeSlackMentions(text));
  if (options.template !== undefined) {
    const rendered = renderJsonTemplate(options.template, context, { escape: 'slack' }) as Partial<SlackMessage>;
    const message = (options.allowMentions ? rendered : mapStrings(rendered, neutralizeSlackMentions)) as Partial<SlackMessage>;
    return enforceSlackLimits({
      text: message.text ?? event.summary ?? event.type,
      blocks: message.blocks ?? [],
      ...message,
    } as SlackMessage);
  }

  const digest = digestEvent(event);
  // Header is plain_text: no escaping, but no mention syntax either.
  const title = options.title ? safe(renderTemplate(options.title, context)) : digest.title;
  const summary = options.text ? safe(renderTemplate(options.text, context, { escape: 'slack' })) : escapeSlack(digest.summary);
  const unix = Math.floor(Date.parse(digest.occurredAt) / 1000);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: summary } },
    ...mrkdwnFieldsSections(digest.fields),
  ];
  if (digest.url) {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: options.linkLabel ?? 'Open' }, url: digest.url, action_id: 'hookbridge_open' },
      ],
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `*${escapeSlack(digest.providerName)}* · \`${escapeSlack(digest.type)}\`` },
      { type: 'mrkdwn', text: `<!date^${unix}^{date_short_pretty} at {time}|${digest.occurredAt}>` },
    ],
  });
  return enforceSlackLimits({
    // The notification fallback: plain words, since clients show it raw.
    text: `${escapeSlack(title)}: ${summary}`,
    blocks,
    unfurl_links: false,
  });
}
