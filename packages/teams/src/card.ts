import {
  digestEvent,
  renderJsonTemplate,
  renderTemplate,
  templateContext,
  truncateText,
  type EventDigest,
  type HookEvent,
  type JsonTemplate,
} from '@hookbridge/core/pure';

/** The Adaptive Card elements we emit: all in schema 1.5, all rendered on Teams mobile. */
export type CardElement =
  | {
      type: 'TextBlock';
      text: string;
      wrap?: boolean;
      weight?: 'Bolder';
      size?: 'Small' | 'Medium' | 'Large';
      isSubtle?: boolean;
      spacing?: 'Small' | 'Medium';
      style?: 'heading';
    }
  | { type: 'FactSet'; facts: { title: string; value: string }[] };

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5' | '1.4' | '1.3' | '1.2';
  body: CardElement[] | unknown[];
  actions?: { type: 'Action.OpenUrl'; title: string; url: string }[] | unknown[];
  msteams?: { width: 'Full' };
}

/** What a Teams Workflows (Power Automate) webhook takes. */
export interface TeamsMessage {
  type: 'message';
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }];
}

/** Teams refuses messages over about 28 KB. */
export const TEAMS_MAX_BYTES = 28 * 1024;

export interface TeamsFormatOptions {
  /** A JSON template producing the card (`{ "type": "AdaptiveCard", … }`), wrapped in the envelope for you. */
  template?: JsonTemplate;
  /** A text template replacing the summary line. */
  text?: string;
  /** A text template replacing the title. */
  title?: string;
  linkLabel?: string;
}

export function envelope(card: AdaptiveCard): TeamsMessage {
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

const utf8 = new TextEncoder();

export function messageBytes(message: TeamsMessage): number {
  return utf8.encode(JSON.stringify(message)).length;
}

function defaultCard(
  digest: EventDigest,
  title: string,
  summary: string,
  facts: { title: string; value: string }[],
  linkLabel: string,
): AdaptiveCard {
  const body: CardElement[] = [
    { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true, style: 'heading' },
    { type: 'TextBlock', text: summary, wrap: true },
  ];
  if (facts.length) body.push({ type: 'FactSet', facts });
  body.push({
    type: 'TextBlock',
    text: `${digest.providerName} · ${digest.type} · ${digest.occurredAt}`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
    spacing: 'Small',
  });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    msteams: { width: 'Full' },
    body,
    ...(digest.url ? { actions: [{ type: 'Action.OpenUrl' as const, title: linkLabel, url: digest.url }] } : {}),
  };
}

/**
 * An Adaptive Card 1.5 in the Teams message envelope: title, summary, a FactSet of the
 * data (old → new), the provider and time, and a link. Shrinks itself under 28 KB. Pure.
 */
export function format(event: HookEvent, options: TeamsFormatOptions = {}): TeamsMessage {
  const context = templateContext(event);
  if (options.template !== undefined) {
    const card = renderJsonTemplate(options.template, context) as AdaptiveCard;
    return envelope(card);
  }
  const digest = digestEvent(event);
  const title = truncateText(options.title ? renderTemplate(options.title, context) : digest.title, 500);
  let summary = truncateText(options.text ? renderTemplate(options.text, context) : digest.summary, 5000);
  const facts = digest.fields.map((f) => ({ title: truncateText(f.name, 200), value: truncateText(f.value, 1000) }));
  const label = options.linkLabel ?? 'Open';
  const build = (keep: number) => {
    const shown =
      keep < facts.length ? [...facts.slice(0, keep), { title: 'More', value: `${facts.length - keep} more fields not shown` }] : facts;
    return envelope(defaultCard(digest, title, summary, shown, label));
  };

  // Over the limit: drop facts from the end (saying so), then shorten the summary.
  let keep = facts.length;
  let message = build(keep);
  while (messageBytes(message) > TEAMS_MAX_BYTES && keep > 0) message = build((keep = Math.floor(keep * 0.75)));
  while (messageBytes(message) > TEAMS_MAX_BYTES && summary.length > 100) {
    summary = truncateText(summary, Math.floor(summary.length / 2));
    message = build(keep);
  }
  return message;
}
