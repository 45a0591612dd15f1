import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previewPage, screenshot, renderedDom, findChromium, PREVIEW_PLATFORMS } from './preview';

// CI installs Debian's chromium; a developer machine without it skips these with a notice.
const chromium = findChromium();
if (!chromium && process.env.CI) throw new Error('CI must have chromium (apt-get install -y chromium)');
const withBrowser = chromium ? test : test.skip;
if (!chromium) console.warn('preview tests skipped: no chromium (apt-get install -y chromium)');

test.each(PREVIEW_PLATFORMS)('%s preview page carries the default message', (platform) => {
  const html = previewPage('trackscore', 'score.updated', platform);
  expect(html).toContain('<!doctype html>');
  expect(html).toContain('Score Updated · pt_555666777');
  // Offline: nothing is loaded from a CDN.
  expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
});

withBrowser(
  'the Teams page renders the card with the real adaptivecards renderer in Chromium',
  async () => {
    const dom = await renderedDom(previewPage('trakkr', 'visibility_changed', 'teams'));
    expect(dom).toContain('data-rendered="true"');
    expect(dom).toMatch(/class="[^"]*ac-adaptiveCard/);
    expect(dom).toContain('Visibility Changed · Acme Coffee');
    expect(dom).toContain('42 → 51');
  },
  60_000,
);

withBrowser(
  'screenshots are real PNGs',
  async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hb-png-')), 'teams.png');
    await screenshot(previewPage('trophy', 'points.changed', 'teams'), file);
    const png = readFileSync(file);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(5000);
  },
  60_000,
);
