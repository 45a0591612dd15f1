import type { APIEmbed } from 'discord-api-types/v10';
import {
  digestEvent,
  escapeDiscord,
  neutralizeDiscordMentions,
  mapStrings,
  renderJsonTemplate,
  renderTemplate,
  templateContext,
  truncateText,
  type HookEvent,
  type JsonTemplate,
} from '@hookbridge/core/pure';

/**
 * Discord's execute-webhook limits, all enforced here (a pure function, no discord.js at run
 * time: it cannot be inside the n8n bundle and its runtime validation cost more than the rest
 * of formatting). The tests rebuild every message through discord.js's `EmbedBuilder`, whose
 * validators must accept it, and check `embedLength` against discord.js's own.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  total: 6000,
} as const;

export type MentionType = 'everyone' | 'users' | 'roles';

/** The execute-webhook body (snake_case, as Discord takes it). */
export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  /** Always sent: Discord's webhook default would ping whoever the text mentions. */
  allowed_mentions: { parse: MentionType[] };
  username?: string;
  avatar_url?: string;
}

export interface DiscordFormatOptions {
  /** A JSON template producing the whole message (`{ "content": …, "embeds": […] }`), rendered with Discord escaping. */
  template?: JsonTemplate;
  /** A text template replacing the embed description. */
  text?: string;
  /** A text template replacing the embed title. */
  title?: string;
  /** Mentions the route lets through. Default none: no template can ping `@everyone` or `@here`. */
  allowMentions?: MentionType[];
  username?: string;
}

/** The characters Discord counts towards the 6,000 of a message: title, description, fields, footer, author. */
export function embedLength(embed: APIEmbed): number {
  let n =
    (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
  for (const field of embed.fields ?? []) n += field.name.length + field.value.length;
  return n;
}

/** Cuts one embed to Discord's limits, the 6,000-character total included. */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const e: APIEmbed = { ...embed };
  if (e.title) e.title = truncateText(e.title, DISCORD_LIMITS.title);
  if (e.description) e.description = truncateText(e.description, DISCORD_LIMITS.description);
  if (e.footer?.text) e.footer = { ...e.footer, text: truncateText(e.footer.text, DISCORD_LIMITS.footer) };
  if (e.author?.name) e.author = { ...e.author, name: truncateText(e.author.name, DISCORD_LIMITS.author) };
  if (e.fields) {
    e.fields = e.fields.slice(0, DISCORD_LIMITS.fields).map((f) => ({
      ...f,
      name: truncateText(f.name || '\u200b', DISCORD_LIMITS.fieldName),
      value: truncateText(f.value || '\u200b', DISCORD_LIMITS.fieldValue),
    }));
  }
  // Over the total: drop fields from the end, then shorten the description.
  while (embedLength(e) > DISCORD_LIMITS.total && e.fields?.length) e.fields = e.fields.slice(0, -1);
  const excess = embedLength(e) - DISCORD_LIMITS.total;
  if (excess > 0 && e.description) e.description = truncateText(e.description, Math.max(1, e.description.length - excess));
  return e;
}

/** Fits a whole message: content, at most 10 embeds, 6,000 characters across all of them. */
export function enforceDiscordLimits(message: DiscordMessage): DiscordMessage {
  const embeds: APIEmbed[] = [];
  let total = 0;
  for (const embed of message.embeds.slice(0, DISCORD_LIMITS.embeds)) {
    const fitted = fitEmbed(embed);
    const size = embedLength(fitted);
    if (total + size > DISCORD_LIMITS.total) break;
    total += size;
    embeds.push(fitted);
  }
  return { ...message, content: message.content ? truncateText(message.content, DISCORD_LIMITS.content) : undefined, embeds };
}

/**
 * One embed per event: title, summary, data fields (old → new), the provider's colour,
 * a link, the event time and a footer naming provider and type. Pure.
 */
export function format(event: HookEvent, options: DiscordFormatOptions = {}): DiscordMessage {
  const allowed_mentions = { parse: options.allowMentions ?? [] };
  const context = templateContext(event);
  const mayPing = (allowed_mentions.parse as string[]).includes('everyone');
  if (options.template !== undefined) {
    const rendered = renderJsonTemplate(options.template, context, { escape: 'discord' }) as Partial<DiscordMessage>;
    const message = (mayPing ? rendered : mapStrings(rendered, neutralizeDiscordMentions)) as Partial<DiscordMessage>;
    return enforceDiscordLimits({ embeds: [], ...message, allowed_mentions, username: options.username ?? message.username });
  }

  const digest = digestEvent(event);
  const title = options.title ? renderTemplate(options.title, context) : digest.title;
  const description = options.text ? renderTemplate(options.text, context, { escape: 'discord' }) : escapeDiscord(digest.summary);
  const fields = digest.fields.slice(0, DISCORD_LIMITS.fields).map((f) => ({
    name: truncateText(f.name, DISCORD_LIMITS.fieldName),
    value: truncateText(escapeDiscord(f.value) || '\u200b', DISCORD_LIMITS.fieldValue),
    inline: f.value.length <= 40,
  }));
  const embed: APIEmbed = {
    title: truncateText(neutralizeDiscordMentions(title), DISCORD_LIMITS.title),
    description: truncateText(mayPing ? description : neutralizeDiscordMentions(description), DISCORD_LIMITS.description),
    color: digest.color,
    timestamp: new Date(digest.occurredAt).toISOString(),
    footer: { text: truncateText(`${digest.providerName} · ${digest.type}`, DISCORD_LIMITS.footer) },
  };
  if (!embed.description) delete embed.description; // Discord refuses an empty one
  if (fields.length) embed.fields = fields;
  if (digest.url) embed.url = digest.url;
  return enforceDiscordLimits({ embeds: [embed], allowed_mentions, username: options.username ?? 'Hookbridge' });
}
