/** How interpolated values are escaped, per destination. */
export type EscapeMode = 'none' | 'slack' | 'discord' | 'html';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const entity = (c: string) => ENTITIES[c]!;

// Most values need no escaping: one test first, as Handlebars' escapeExpression does, is far cheaper than replacing.
const SLACK_SPECIAL = /[&<>]/;
const SLACK_CHARS = /[&<>]/g;

/** Slack mrkdwn: only `&`, `<` and `>` are control characters. */
export function escapeSlack(text: string): string {
  return SLACK_SPECIAL.test(text) ? text.replace(SLACK_CHARS, entity) : text;
}

const ZWSP = '\u200b';

// Characters Discord reads as formatting anywhere, and those it reads so only at a line start.
// 1: escape anywhere, 2: escape at a line start; a table lookup per character is the cheapest test.
const DISCORD_SPECIAL = new Uint8Array(128);
for (const c of '\\*_~`|[]') DISCORD_SPECIAL[c.charCodeAt(0)] = 1;
for (const c of '#>-') DISCORD_SPECIAL[c.charCodeAt(0)] = 2;
// What a multiline regex's `^` follows: \n, \r, U+2028, U+2029.
const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** Discord markdown: backslash-escape formatting characters (headings and lists only at a line start); break mass mentions. */
export function escapeDiscord(text: string): string {
  // One pass, copying only when something needs a backslash: most values need none.
  let out = '';
  let copied = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const special = c < 128 ? DISCORD_SPECIAL[c]! : 0;
    if (special === 1 || (special === 2 && lineStart)) {
      out += text.slice(copied, i) + '\\';
      copied = i;
    }
    lineStart = isLineBreak(c);
  }
  if (copied > 0 || out) out += text.slice(copied);
  else out = text;
  return out.includes('@') ? neutralizeDiscordMentions(out) : out;
}

const HTML_SPECIAL = /[&<>"']/;
const HTML_CHARS = /[&<>"']/g;

export function escapeHtml(text: string): string {
  return HTML_SPECIAL.test(text) ? text.replace(HTML_CHARS, entity) : text;
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
