import { readFileSync } from 'node:fs';
import type { TeamsMessage } from './card';

/**
 * A self-contained HTML page that renders the card with the real `adaptivecards` renderer
 * (it needs a DOM, so it runs in the browser), styled like a Teams message. No network.
 */
export function previewHtml(message: TeamsMessage, title = 'Teams preview'): string {
  const script = readFileSync(require.resolve('adaptivecards/dist/adaptivecards.min.js'), 'utf8');
  const card = JSON.stringify(message.attachments[0].content).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title.replace(/</g, '&lt;')}</title>
<style>
  body { margin: 0; padding: 24px; background: #f5f5f5; font-family: "Segoe UI", system-ui, sans-serif; }
  .message { max-width: 560px; background: #fff; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.15); padding: 12px 16px; }
  .sender { font-size: 12px; color: #616161; margin-bottom: 8px; } .sender b { color: #242424; }
  .ac-textBlock { font-size: 14px; color: #242424; } .ac-pushButton { background: #5b5fc7; color: #fff; border: 0; border-radius: 4px; padding: 6px 12px; font-weight: 600; }
  .ac-factset td { padding: 2px 12px 2px 0; font-size: 13px; }
</style></head>
<body><div class="message"><div class="sender"><b>Hookbridge</b> via Workflows</div><div id="card"></div></div>
<script>${script}</script>
<script>
  const card = new AdaptiveCards.AdaptiveCard();
  card.hostConfig = new AdaptiveCards.HostConfig({ fontFamily: '"Segoe UI", system-ui, sans-serif', containerStyles: { default: { foregroundColors: { default: { default: '#242424', subtle: '#616161' } } } } });
  card.parse(${card});
  document.getElementById('card').appendChild(card.render());
  document.body.dataset.rendered = 'true';
</script></body></html>`;
}
