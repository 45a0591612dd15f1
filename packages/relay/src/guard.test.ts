import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ConfigError, parseConfig } from './config/load';
import { Relay } from './relay';
import { signedRequest, tempDir } from './test-support';

const SECRET = 'ts-secret-value-123';

/** A TCP listener that only counts connections: the proof that a refused destination was never reached. */
async function listener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const config = (routes: string, server = '') => `
server: { adminToken: admin-token-0123456789abcdef ${server} }
storage: { path: ${join(tempDir(), 'relay.db')} }
retry: { retries: 0, timeout: 2s }
workers: { pollInterval: 20ms }
sources:
  - { id: ts, provider: trackscore, secrets: [${SECRET}] }
routes:
${routes}`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('no ConfigError');
}

describe('destinations the address policy refuses are configuration errors at load time', () => {
  test.each([
    ['slack webhook', "{ type: slack, webhookUrl: 'https://127.0.0.1/services/T/B/X' }", 'destination.webhookUrl', 'loopback'],
    ['slack bot', "{ type: slack, token: xoxb-1, channel: C1, apiUrl: 'https://10.0.0.5/api/' }", 'destination.apiUrl', 'private'],
    ['discord', "{ type: discord, webhookUrl: 'https://[::1]/api/webhooks/1/t' }", 'destination.webhookUrl', 'loopback'],
    ['teams', "{ type: teams, workflowUrl: 'https://169.254.169.254/latest' }", 'destination.workflowUrl', 'linkLocal'],
    ['webhook over http', "{ type: webhook, url: 'http://example.com/hook' }", 'destination.url', 'Plain http'],
  ])('%s', (_name, destination, field, reason) => {
    const found = problems(config(`  - { id: r1, sources: [ts], destination: ${destination} }`));
    expect(found).toEqual([expect.stringContaining(`routes[0].${field}: route "r1"`)]);
    expect(found[0]).toContain(reason);
    expect(found[0]).toContain('server.allowInsecureDestinations');
  });

  test('the failure notice destination is checked too; allowInsecureDestinations opens loopback but never metadata', () => {
    const route = `  - { id: r1, sources: [ts], destination: { type: log }, onFailure: { type: webhook, url: 'https://127.0.0.1:9/n' } }`;
    expect(problems(config(route))).toEqual([expect.stringContaining('routes[0].onFailure.url: route "r1"')]);
    expect(() => parseConfig(config(route, ', allowInsecureDestinations: true'), 't.yaml', {})).not.toThrow();
    const metadata = `  - { id: r2, sources: [ts], destination: { type: webhook, url: 'http://169.254.169.254/x' } }`;
    expect(problems(config(metadata, ', allowInsecureDestinations: true'))).toEqual([expect.stringContaining('169.254.169.254')]);
  });
});

describe('every outbound request of the relay goes through the address policy at connect time', () => {
  test('Slack (webhook and bot), Discord, Teams, webhook and failure notices to a name resolving to loopback: never connected', async () => {
    const target = await listener();
    const notices = await listener();
    // Names, not literal addresses: they pass the load-time check and must be refused on resolution.
    const at = `https://localhost:${target.port}`;
    const routes = [
      `  - { id: slack-webhook, sources: [ts], destination: { type: slack, webhookUrl: '${at}/services/T/B/X' } }`,
      `  - { id: slack-bot, sources: [ts], destination: { type: slack, token: xoxb-secret-token, channel: C1, apiUrl: '${at}/api/' } }`,
      `  - { id: discord, sources: [ts], destination: { type: discord, webhookUrl: '${at}/api/webhooks/1/tok' } }`,
      `  - { id: teams, sources: [ts], destination: { type: teams, workflowUrl: '${at}/workflows/x' } }`,
      `  - id: webhook
    sources: [ts]
    destination: { type: webhook, url: '${at}/hook' }
    onFailure: { type: webhook, url: 'https://localhost:${notices.port}/notices' }`,
    ].join('\n');
    const logs: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _e, cb) => (logs.push(String(chunk)), cb()) }));
    const relay = new Relay(parseConfig(config(routes), 't.yaml', {}), { logger, print: (line) => logs.push(line) });
    const url = await relay.start(0);
    try {
      const req = signedRequest('trackscore', SECRET, 'score.updated');
      const res = await fetch(`${url}/hooks/ts`, { method: 'POST', headers: req.headers, body: req.body });
      expect(res.status).toBe(202);
      const end = Date.now() + 10_000;
      while ((await relay.store.listDeliveries({ status: 'failed', limit: 10 })).length < 5 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const failed = await relay.store.listDeliveries({ status: 'failed', limit: 10 });
      expect(failed.map((d) => d.route).sort()).toEqual(['discord', 'slack-bot', 'slack-webhook', 'teams', 'webhook']);
      for (const d of failed) expect(d.last_error).toMatch(/Destination refused: localhost resolves to .*loopback/);
      // The failure notice went the same way out, and was refused the same way.
      const end2 = Date.now() + 5000;
      while (!logs.some((l) => l.includes('failure notification could not be sent')) && Date.now() < end2) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(logs.some((l) => l.includes('failure notification could not be sent') && l.includes('destination_refused'))).toBe(true);
      expect(target.connections()).toBe(0);
      expect(notices.connections()).toBe(0);
      expect(logs.join('\n')).not.toContain('xoxb-secret-token');
    } finally {
      await relay.close(1000);
      await target.close();
      await notices.close();
    }
  });
});
