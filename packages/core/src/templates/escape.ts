/** How interpolated values are escaped, per destination. */
export type EscapeMode = 'none' | 'slack' | 'discord' | 'html';

/** Slack mrkdwn: only `&`, `<` and `>` are control characters. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ZWSP = '\u200b';

/** Discord markdown: backslash-escape formatting characters (headings and lists only at a line start); break mass mentions. */
export function escapeDiscord(text: string): string {
  return neutralizeDiscordMentions(text.replace(/([\\*_~`|[\]])/g, '\\$1').replace(/^([#>-])/gm, '\\$1'));
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** `@everyone`, `@here` and `<@…>` / `<@&…>` mentions no longer ping once a zero-width space sits after the `@`. */
export function neutralizeDiscordMentions(text: string): string {
  return text.replace(/@(everyone|here)/g, `@${ZWSP}$1`).replace(/<@([!&]?\d+)>/g, `<@${ZWSP}$1>`);
}

/** Slack special mentions (`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`) become plain text. */
export function neutralizeSlackMentions(text: string): string {
  return text
    .replace(/<!(channel|here|everyone|subteam\^[^>|]*)(\|[^>]*)?>/g, (m) => escapeSlack(m))
    .replace(/<@([UW][A-Z0-9]+)>/g, '&lt;@$1&gt;');
}

export function escapeFor(mode: EscapeMode): (text: string) => string {
  switch (mode) {
    case 'slack':
      return escapeSlack;
    case 'discord':
      return escapeDiscord;
    case 'html':
      return escapeHtml;
    case 'none':
      return (text) => text;
  }
}

/** Applies `fn` to every string inside a JSON value (neutralising mentions in a rendered message). */
export function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}
