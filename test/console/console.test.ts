/**
 * The relay console in a real browser: Playwright (playwright-core) driving Debian's
 * Chromium against a relay on 127.0.0.1. Screenshots go to artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../../packages/relay/src/config/load';
import { Relay } from '../../packages/relay/src/relay';
import { findChromium } from '../../packages/relay/src/preview';
import { startSink, tempDir, signedRequest } from '../../packages/relay/src/test-support';

const executablePath = findChromium();
if (!executablePath && process.env.CI) throw new Error('CI must have chromium (apt-get install -y chromium)');
const withBrowser = executablePath ? test : test.skip;
if (!executablePath) console.warn('console browser tests skipped: no chromium (apt-get install -y chromium)');

const ADMIN = 'console-admin-token-0123456789';
const SECRET = 'console-source-secret-value';
const ARTIFACTS = resolve(__dirname, '../../artifacts');
const silent = { level: 'silent' } as const;

let browser: Browser;
let relay: Relay;
let url: string;
let port: number;
const db = join(tempDir('hb-console-'), 'relay.db');
let failing = true;
let sink: Awaited<ReturnType<typeof startSink>>;
let okSink: Awaited<ReturnType<typeof startSink>>;

function config() {
  return parseConfig(`
server: { adminToken: ${ADMIN}, allowInsecureDestinations: true }
storage: { path: ${db} }
workers: { pollInterval: 20ms }
sources: [{ id: scores, provider: trackscore, secrets: [${SECRET}] }, { id: trophy, provider: trophy, secrets: [trophy-console-secret] }]
routes:
  - { id: flaky-webhook, sources: [scores], retry: { retries: 0 }, destination: { type: webhook, url: '${sink.url}' } }
  - { id: team-slack, sources: [scores, trophy], destination: { type: log, format: slack } }
`);
}

async function startRelay(onPort?: number) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pino = require('pino') as typeof import('pino');
  relay = new Relay(config(), { logger: pino(silent), print: () => undefined });
  url = await relay.start(onPort ?? 0);
  port = Number(new URL(url).port);
}

async function post(type = 'score.updated') {
  const req = signedRequest('trackscore', SECRET, type);
  const res = await fetch(`${url}/hooks/scores`, { method: 'POST', headers: req.headers, body: req.body });
  expect(res.status).toBe(202);
  return req;
}

async function signIn(page: Page, token: string) {
  await page.goto(`${url}/console/`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  if (!executablePath) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  sink = await startSink(() => (failing ? 500 : 200));
  okSink = await startSink();
  await startRelay();
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await relay?.close(500);
  await sink?.close();
  await okSink?.close();
});

withBrowser('a wrong token is refused', async () => {
  const page = await browser.newPage();
  await signIn(page, 'not-the-token-at-all');
  await page.getByRole('alert').getByText('That token was refused.').waitFor({ timeout: 5000 });
  await page.screenshot({ path: join(ARTIFACTS, 'console-login.png') });
  await page.close();
});

withBrowser(
  'live events, a failed delivery, replay until delivered; no secrets on the page',
  async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, ADMIN);
    await page.getByText('● Live').waitFor({ timeout: 5000 });

    const started = Date.now();
    const req = await post();
    await page.locator(`tr[data-event="${req.id}"]`).waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);

    // The flaky route has no retries: the delivery fails and the row says so.
    await page.locator(`tr[data-event="${req.id}"] .chip.failed`).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: `Open event ${req.id}` }).click();
    const flaky = page.locator('.delivery[data-route="flaky-webhook"]');
    await flaky.locator('.chip', { hasText: 'failed' }).waitFor({ timeout: 5000 });
    await page.getByText('team-slack → slack').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'console-detail-failed.png'), fullPage: true });

    failing = false;
    await page.getByRole('button', { name: 'Replay event' }).click();

    await flaky.locator('.chip', { hasText: 'delivered' }).waitFor({ timeout: 5000 });
    expect(sink.received.some((r) => r.json.id === req.id)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'console-main.png'), fullPage: true });

    const text = await page.content();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(String((req.headers as Record<string, string>)['x-trackscore-signature']).slice(7));
    expect(text).toContain('[redacted]');
    await page.close();
  },
  60_000,
);

withBrowser(
  'send a sample event from the console; filter by status',
  async () => {
    const page = await browser.newPage();
    await signIn(page, ADMIN);
    await page.getByText('● Live').waitFor({ timeout: 5000 });
    await page.getByLabel('Source', { exact: true }).first().selectOption('trophy');
    await page.getByRole('button', { name: 'Send sample event' }).click();
    await page.locator('tr', { hasText: 'achievement.completed' }).first().waitFor({ timeout: 3000 });
    await page.locator('.filters select').nth(1).selectOption('failed');
    await page.waitForFunction(() => {
      // Runs in the page.
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } })
        .document;
      return Array.from(doc.querySelectorAll('.list tbody tr')).every((tr) => tr.textContent?.includes('failed'));
    });
    await page.close();
  },
  60_000,
);

withBrowser(
  'the stream survives a relay restart: the page reconnects and shows new events',
  async () => {
    const page = await browser.newPage();
    await signIn(page, ADMIN);
    await page.getByText('● Live').waitFor({ timeout: 5000 });
    await relay.close(200);
    await page.getByText('○ Reconnecting…').waitFor({ timeout: 5000 });
    await startRelay(port);
    await page.getByText('● Live').waitFor({ timeout: 10_000 });
    const req = await post('ranking.changed');
    await page.locator(`tr[data-event="${req.id}"]`).waitFor({ timeout: 2000 });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'console-phone.png'), fullPage: true });
    await page.close();
  },
  60_000,
);

/** What overflows the page or a box sideways, measured in the page: the console must fit its screen. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    // Runs in the page; the test's TypeScript has no DOM types, so the little it uses is typed here.
    type Box = { scrollWidth: number; clientWidth: number };
    const doc = (globalThis as unknown as { document: { documentElement: Box; querySelectorAll(s: string): ArrayLike<Box> } }).document;
    const wider = (selector: string) =>
      Array.from(doc.querySelectorAll(selector))
        .filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map((e) => `${selector} ${e.scrollWidth}>${e.clientWidth}`);
    return [
      ...(doc.documentElement.scrollWidth > doc.documentElement.clientWidth + 1
        ? [`page ${doc.documentElement.scrollWidth}>${doc.documentElement.clientWidth}`]
        : []),
      ...wider('section.events'),
      ...wider('section.detail'),
      ...wider('.delivery'),
    ];
  });
}

/** Width and height of a PNG, from its header. */
function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

withBrowser(
  'the console fits its screen: every column at 1400 px without sideways scrolling; list and detail usable on a 390 px phone',
  async () => {
    // Trophy's ids are a body fingerprint (sha256_ + 40 hex): the longest the table shows.
    const trophy = signedRequest('trophy', 'trophy-console-secret', 'achievement.completed');
    expect((await fetch(`${url}/hooks/trophy`, { method: 'POST', headers: trophy.headers, body: trophy.body })).status).toBe(202);
    const reqs = [await post('score.updated'), await post('participant.updated'), await post('team.member_added')];
    const last = reqs[reqs.length - 1]!;

    const wide = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(wide, ADMIN);
    await wide.locator(`tr[data-event="${last.id}"]`).waitFor({ timeout: 5000 });
    await wide.getByRole('button', { name: `Open event ${last.id}` }).click();
    await wide.locator('.delivery[data-route="team-slack"]').waitFor({ timeout: 5000 });
    expect(await overflow(wide)).toEqual([]);
    // Every column of the events table is on screen, not cut off.
    for (const header of await wide.locator('.list thead th').all()) {
      const box = (await header.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(1400);
    }
    expect(await wide.locator('.list thead th').allTextContents()).toEqual(['Received', 'Source', 'Type', 'Event id', 'Status']);
    const wideShot = join(ARTIFACTS, 'console-1400.png');
    await wide.screenshot({ path: wideShot });
    expect(pngSize(wideShot)).toEqual({ width: 1400, height: 900 });
    await wide.close();

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    await signIn(phone, ADMIN);
    const row = phone.locator(`tr[data-event="${last.id}"]`);
    await row.waitFor({ timeout: 5000 });
    expect(await overflow(phone)).toEqual([]);
    // The row shows its type and status, and its open button is on screen and tappable.
    await expect(row.textContent()).resolves.toContain('team.member_added');
    const open = phone.getByRole('button', { name: `Open event ${last.id}` });
    const box = (await open.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(ARTIFACTS, 'console-390-list.png'), fullPage: true });
    await open.tap();
    const detail = phone.locator('section.detail');
    await detail.locator('.delivery[data-route="team-slack"]').waitFor({ timeout: 5000 });
    // Opened below the list, the detail is brought into view.
    await phone.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { top: number } } | null } })
        .document;
      const top = doc.querySelector('section.detail')!.getBoundingClientRect().top;
      return top >= -1 && top < 200;
    });
    expect(await overflow(phone)).toEqual([]);
    const detailBox = (await detail.boundingBox())!;
    expect(detailBox.x).toBeGreaterThanOrEqual(0);
    expect(detailBox.x + detailBox.width).toBeLessThanOrEqual(390);
    await expect(detail.getByRole('button', { name: 'Replay event' }).isVisible()).resolves.toBe(true);
    const phoneShot = join(ARTIFACTS, 'console-390-detail.png');
    await phone.screenshot({ path: phoneShot, fullPage: true });
    expect(pngSize(phoneShot).width).toBe(390);
    await phone.close();
  },
  60_000,
);
