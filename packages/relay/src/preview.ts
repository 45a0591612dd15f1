import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { eventFromPayload, getProvider } from '@hookbridge/core';
import * as slack from '@hookbridge/slack';
import * as discord from '@hookbridge/discord';
import * as teams from '@hookbridge/teams';

export type PreviewPlatform = 'slack' | 'discord' | 'teams';
export const PREVIEW_PLATFORMS: readonly PreviewPlatform[] = ['slack', 'discord', 'teams'];

/** The default message for a provider's sample event, as HTML (Teams: the real Adaptive Cards renderer). */
export function previewPage(provider: string, eventType: string, platform: PreviewPlatform): string {
  const profile = getProvider(provider);
  const event = eventFromPayload(profile, profile.samplePayload(eventType));
  const title = `${profile.name} ${eventType} → ${platform}`;
  switch (platform) {
    case 'slack':
      return slack.previewHtml(slack.format(event), title);
    case 'discord':
      return discord.previewHtml(discord.format(event), title);
    case 'teams':
      return teams.previewHtml(teams.format(event), title);
  }
}

/** Debian's chromium, or CHROMIUM_PATH. */
export function findChromium(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));
}

/** Loads a page in headless Chromium and returns the DOM after its scripts ran. */
export async function renderedDom(html: string): Promise<string> {
  return withChromium(html, (page) => [`--dump-dom`, `file://${page}`]);
}

async function withChromium(html: string, args: (page: string, dir: string) => string[]): Promise<string> {
  const chromium = findChromium();
  if (!chromium) throw new Error('Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH');
  const dir = mkdtempSync(join(tmpdir(), 'hookbridge-preview-'));
  try {
    const page = join(dir, 'page.html');
    writeFileSync(page, html);
    const { stdout } = await promisify(execFile)(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${join(dir, 'profile')}`,
        ...args(page, dir),
      ],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders an HTML page to PNG with headless Chromium, offline (no background networking). */
export async function screenshot(html: string, pngPath: string, size = { width: 760, height: 460 }): Promise<void> {
  await withChromium(html, (page) => [`--window-size=${size.width},${size.height}`, `--screenshot=${resolve(pngPath)}`, `file://${page}`]);
}
