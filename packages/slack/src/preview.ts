import type { SlackMessage } from './format';

const esc = (s: string) =>
  s
    .replace(/&(?!(amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

/** Slack mrkdwn to HTML, enough for a preview: bold, italics, code, links, dates, line breaks. */
function mrkdwn(text: string): string {
  return esc(text)
    .replace(/&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;/g, '$1')
    .replace(/&lt;(https?:[^|&]+)\|([^&]+)&gt;/g, '<a href="$1">$2</a>')
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/_([^_\n]+)_/g, '<i>$1</i>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/\n/g, '<br>');
}

type Block = Record<string, unknown> & { type: string };
const textOf = (t: unknown) => (t as { text?: string } | undefined)?.text ?? '';

/** A static HTML mock-up of the Block Kit message, close to Slack's look. */
export function previewHtml(message: SlackMessage, title = 'Slack preview'): string {
  const blocks = (message.blocks as unknown as Block[]).map((b) => {
    switch (b.type) {
      case 'header':
        return `<h2>${esc(textOf(b.text))}</h2>`;
      case 'section': {
        const fields = ((b.fields as unknown[]) ?? []).map((f) => `<div>${mrkdwn(textOf(f))}</div>`).join('');
        return `${b.text ? `<p>${mrkdwn(textOf(b.text))}</p>` : ''}${fields ? `<div class="fields">${fields}</div>` : ''}`;
      }
      case 'actions':
        return ((b.elements as Block[]) ?? [])
          .map((e) => `<a class="button" href="${esc(String(e.url ?? '#'))}">${esc(textOf(e.text))}</a>`)
          .join('');
      case 'context':
        return `<div class="context">${((b.elements as unknown[]) ?? []).map((e) => `<span>${mrkdwn(textOf(e))}</span>`).join(' ')}</div>`;
      default:
        return '';
    }
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
  body { margin: 0; padding: 24px; background: #fff; font: 15px/1.46 Lato, "Helvetica Neue", Arial, sans-serif; color: #1d1c1d; }
  .msg { display: flex; gap: 8px; max-width: 620px; } .avatar { width: 36px; height: 36px; border-radius: 4px; background: #4a154b; color: #fff; display: grid; place-items: center; font-weight: 700; }
  .who b { margin-right: 6px; } .who span { color: #616061; font-size: 12px; } h2 { font-size: 18px; margin: 4px 0; }
  p { margin: 4px 0; } .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin: 8px 0; }
  .button { display: inline-block; border: 1px solid #ddd; border-radius: 4px; padding: 4px 12px; color: #1d1c1d; text-decoration: none; font-weight: 700; margin: 4px 0; }
  .context { color: #616061; font-size: 12px; margin-top: 6px; } code { background: #f4f4f4; border: 1px solid #ddd; border-radius: 3px; padding: 0 3px; color: #e01e5a; }
</style></head><body><div class="msg"><div class="avatar">H</div><div><div class="who"><b>Hookbridge</b><span>APP</span></div>${blocks.join('\n')}</div></div></body></html>`;
}
