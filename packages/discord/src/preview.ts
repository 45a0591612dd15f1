import type { DiscordMessage } from './format';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Discord markdown to HTML, enough for a preview: escapes, bold, italics, code. */
const md = (s: string) =>
  esc(s)
    .replace(/\\([\\*_~`|>#[\]()-])/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\n/g, '<br>');

/** A static HTML mock-up of the webhook message, close to Discord's dark theme. */
export function previewHtml(message: DiscordMessage, title = 'Discord preview'): string {
  const embeds = message.embeds.map((e) => {
    const color = `#${(e.color ?? 0x202225).toString(16).padStart(6, '0')}`;
    const fields = (e.fields ?? [])
      .map((f) => `<div class="field${f.inline ? ' inline' : ''}"><div class="name">${md(f.name)}</div><div>${md(f.value)}</div></div>`)
      .join('');
    const heading = e.url ? `<a href="${esc(e.url)}">${esc(e.title ?? '')}</a>` : esc(e.title ?? '');
    return `<div class="embed" style="border-color:${color}"><div class="title">${heading}</div>${e.description ? `<div class="desc">${md(e.description)}</div>` : ''}<div class="fields">${fields}</div>${
      e.footer
        ? `<div class="footer">${esc(e.footer.text)}${e.timestamp ? ` • ${esc(new Date(e.timestamp).toUTCString())}` : ''}</div>`
        : ''
    }</div>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
  body { margin: 0; padding: 24px; background: #313338; color: #dbdee1; font: 16px/1.375 "gg sans", "Noto Sans", Helvetica, Arial, sans-serif; }
  .msg { display: flex; gap: 16px; max-width: 600px; } .avatar { width: 40px; height: 40px; border-radius: 50%; background: #5865f2; flex: none; }
  .who b { color: #f2f3f5; } .who span { background: #5865f2; color: #fff; font-size: 10px; border-radius: 3px; padding: 1px 4px; margin-left: 4px; }
  .embed { background: #2b2d31; border-left: 4px solid; border-radius: 4px; padding: 8px 16px 16px 12px; margin-top: 4px; max-width: 516px; }
  .title { font-weight: 600; color: #f2f3f5; margin: 8px 0 4px; } .title a { color: #00a8fc; text-decoration: none; } .desc { font-size: 14px; }
  .fields { display: flex; flex-wrap: wrap; gap: 8px 16px; margin-top: 8px; font-size: 14px; } .field { flex: 1 1 100%; } .field.inline { flex: 1 1 30%; }
  .name { font-weight: 600; color: #f2f3f5; } .footer { font-size: 12px; color: #b5bac1; margin-top: 8px; } code { background: #1e1f22; border-radius: 3px; padding: 0 3px; }
</style></head><body><div class="msg"><div class="avatar"></div><div><div class="who"><b>${esc(message.username ?? 'Hookbridge')}</b><span>APP</span></div>${
    message.content ? `<div>${md(message.content)}</div>` : ''
  }${embeds.join('')}</div></div></body></html>`;
}
