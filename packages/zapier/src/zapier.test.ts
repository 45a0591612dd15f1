import { cpSync, mkdirSync, symlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as zapier from 'zapier-platform-core';
import { getProvider } from '@hookbridge/core';
import { ProviderEmulator } from '@hookbridge/relay';

// The built bundle is what Zapier runs: test that, not the sources.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const App = require('../index.js') as {
  triggers: Record<
    string,
    { key: string; noun: string; operation: Record<string, unknown> & { sample: Record<string, unknown>; outputFields: { key: string }[] } }
  >;
  creates: Record<string, { operation: { perform: unknown } }>;
  authentication: { test: unknown; fields: { key: string; default?: string; choices?: Record<string, string> }[] };
  beforeRequest: unknown[];
};
const appTester = zapier.createAppTester(App);
type Op = Parameters<typeof appTester>[0];
const op = (trigger: string, name: string) => App.triggers[trigger]!.operation[name] as Op;

/** Zapier rewrites header names: `x-trakkr-signature` arrives as `Http-X-Trakkr-Signature`. */
function zapierHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [
      `Http-${k
        .split('-')
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('-')}`,
      String(v),
    ]),
  );
}

/** Stands in for Zapier's hook URL: records what the provider posts. */
async function hookCatcher() {
  const received: { headers: IncomingMessage['headers']; content: string }[] = [];
  const server: Server = createServer((req, res) => {
    let content = '';
    req.on('data', (c: Buffer) => (content += c));
    req.on('end', () => {
      received.push({ headers: req.headers, content });
      res.writeHead(200).end('{"status":"success"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/catch/123/abc/`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}

describe('Trakkr: REST-hook triggers against the emulator', () => {
  let emulator: ProviderEmulator;
  let baseUrl: string;
  const authData = () => ({ provider: 'trakkr', base_url: baseUrl, api_key: 'zap_key' });
  beforeAll(async () => {
    emulator = new ProviderEmulator({ provider: 'trakkr', apiKey: 'zap_key' });
    baseUrl = await emulator.listen();
  });
  afterAll(() => emulator.close());

  test.each(['trakkr_citation_gained', 'trakkr_any_event'])(
    '%s: subscribe, receive a signed event, refuse a forged one, unsubscribe',
    async (key) => {
      const catcher = await hookCatcher();
      const subscribeData = (await appTester(op(key, 'performSubscribe'), {
        authData: authData(),
        inputData: { brand_id: 'brand-9' },
        targetUrl: catcher.url,
      })) as {
        id: string;
        signing_secret: string;
        events: string[];
      };
      expect(subscribeData.signing_secret).toMatch(/^whsec_/);
      expect(subscribeData.events).toEqual(
        key.endsWith('any_event') ? getProvider('trakkr').events.map((e) => e.type) : ['citation_gained'],
      );
      expect(emulator.subscriptions.map((s) => s.url)).toContain(catcher.url);

      await emulator.trigger('citation_gained');
      const delivered = catcher.received[0]!;
      const rawRequest = {
        method: 'POST' as const,
        headers: zapierHeaders(delivered.headers),
        content: delivered.content,
        querystring: '',
      };
      const items = (await appTester(op(key, 'perform'), {
        authData: authData(),
        subscribeData,
        rawRequest,
        cleanedRequest: JSON.parse(delivered.content),
      })) as { id: string; type: string; brand: { id: string } }[];
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ type: 'citation_gained', brand: { id: 'brand-9' } });
      expect(items[0]!.id).toMatch(/^evt_/);

      const forged = { ...rawRequest, headers: { ...rawRequest.headers, 'Http-X-Trakkr-Signature': 'sha256=' + 'a'.repeat(64) } };
      const error = await appTester(op(key, 'perform'), { authData: authData(), subscribeData, rawRequest: forged }).catch(
        (e: unknown) => e,
      );
      expect((error as Error).name).toBe('HaltedError');
      expect((error as Error).message).toContain('signature_mismatch');

      expect(await appTester(op(key, 'performUnsubscribe'), { authData: authData(), subscribeData })).toEqual({
        deleted: true,
        alreadyGone: false,
      });
      expect(emulator.subscriptions.find((s) => s.id === subscribeData.id)).toBeUndefined();
      // Already gone (deleted by hand in Trakkr) is fine.
      expect(await appTester(op(key, 'performUnsubscribe'), { authData: authData(), subscribeData })).toEqual({
        deleted: true,
        alreadyGone: true,
      });
      await catcher.close();
    },
  );

  test('a per-event trigger ignores other event types', async () => {
    const catcher = await hookCatcher();
    const subscribeData = (await appTester(op('trakkr_any_event', 'performSubscribe'), {
      authData: authData(),
      inputData: { brand_id: 'b' },
      targetUrl: catcher.url,
    })) as { id: string; signing_secret: string };
    await emulator.trigger('citation_lost');
    const delivered = catcher.received[0]!;
    const rawRequest = { headers: zapierHeaders(delivered.headers), content: delivered.content };
    expect(await appTester(op('trakkr_citation_gained', 'perform'), { authData: authData(), subscribeData, rawRequest })).toEqual([]);
    await catcher.close();
  });

  test('subscribe errors are clear: wrong key, missing brand', async () => {
    await expect(
      appTester(op('trakkr_citation_lost', 'performSubscribe'), {
        authData: { ...authData(), api_key: 'nope' },
        inputData: { brand_id: 'b' },
        targetUrl: 'https://hooks.zapier.com/x',
      }),
    ).rejects.toThrow(/refused the API key \(401\)/);
    await expect(
      appTester(op('trakkr_citation_lost', 'performSubscribe'), {
        authData: authData(),
        inputData: {},
        targetUrl: 'https://hooks.zapier.com/x',
      }),
    ).rejects.toThrow('Trakkr requires brand_id');
  });

  test('auth test: good key, bad key', async () => {
    expect(await appTester(App.authentication.test as Op, { authData: authData() })).toMatchObject({ provider: 'Trakkr' });
    await expect(appTester(App.authentication.test as Op, { authData: { ...authData(), api_key: 'bad' } })).rejects.toThrow(
      'Trakkr refused the API key',
    );
  });
});

describe("Trakkr connection: the API auth types of Trakkr's webhook docs", () => {
  const cases = [
    { type: 'bearer', demands: { type: 'bearer', token: 'k1' }, fields: { api_key: 'k1' } },
    {
      type: 'api_key',
      demands: { type: 'api_key', header: 'X-Trakkr-Key', value: 'k2' },
      fields: { api_key: 'k2', api_key_header: 'X-Trakkr-Key' },
    },
    { type: 'basic', demands: { type: 'basic', username: 'acme', password: 'k3' }, fields: { api_key: 'k3', api_username: 'acme' } },
    { type: 'none', demands: { type: 'none' }, fields: {} },
  ] as const;

  test('the connection form offers exactly those types, Bearer by default', () => {
    const field = App.authentication.fields.find((f) => f.key === 'api_auth_type')!;
    expect(Object.keys(field.choices as Record<string, string>)).toEqual(['bearer', 'api_key', 'basic', 'none']);
    expect(field.default).toBe('bearer');
  });

  test.each(cases)('$type: auth test, subscribe and unsubscribe pass the API', async ({ type, demands, fields }) => {
    const emulator = new ProviderEmulator({ provider: 'trakkr', apiAuth: demands });
    const authData = { provider: 'trakkr', base_url: await emulator.listen(), api_auth_type: type, ...fields };
    try {
      expect(await appTester(App.authentication.test as Op, { authData })).toEqual({ provider: 'Trakkr', webhooks: 0 });
      const subscribeData = (await appTester(op('trakkr_citation_lost', 'performSubscribe'), {
        authData,
        inputData: { brand_id: 'b' },
        targetUrl: 'https://hooks.zapier.com/hooks/standard/1/abc',
      })) as { id: string };
      expect(emulator.subscriptions.map((s) => s.id)).toEqual([subscribeData.id]);
      await appTester(op('trakkr_citation_lost', 'performUnsubscribe'), { authData, subscribeData });
      expect(emulator.subscriptions).toEqual([]);
      if (type !== 'none') {
        // The same key sent the wrong way is refused.
        const other = type === 'bearer' ? { api_auth_type: 'api_key' } : { api_auth_type: 'bearer' };
        await expect(appTester(App.authentication.test as Op, { authData: { ...authData, ...other } })).rejects.toThrow(
          'Trakkr refused the API key',
        );
      }
    } finally {
      await emulator.close();
    }
  });

  test("requests go out through z.request: the beforeRequest middleware adds the API auth, to the provider's API only", () => {
    const [addAuth] = App.beforeRequest as ((
      request: { url: string; headers?: Record<string, string> },
      z: unknown,
      bundle: unknown,
    ) => {
      headers?: Record<string, string>;
    })[];
    const authData = {
      provider: 'trakkr',
      base_url: 'https://api.trakkr.example/v1',
      api_auth_type: 'api_key',
      api_key: 'k9',
      api_key_header: 'X-Key',
    };
    expect(
      addAuth!({ url: 'https://api.trakkr.example/v1/webhooks', headers: { accept: 'application/json' } }, {}, { authData }).headers,
    ).toEqual({
      accept: 'application/json',
      'x-key': 'k9',
    });
    // Never to another host: a Zap's other requests (or a redirect target) do not get the key.
    expect(addAuth!({ url: 'https://elsewhere.example/x', headers: {} }, {}, { authData }).headers).toEqual({});
  });

  test('an incomplete connection says what is missing', async () => {
    await expect(
      appTester(App.authentication.test as Op, {
        authData: { provider: 'trakkr', base_url: 'http://127.0.0.1:1', api_auth_type: 'basic', api_key: 'k' },
      }),
    ).rejects.toThrow('Basic auth needs a username');
  });
});

describe('manual providers (static webhook URL): verification with the connection secret', () => {
  const secret = 'trophy-dashboard-secret';
  function signedTrophy(type: string, key = secret) {
    const body = JSON.stringify(getProvider('trophy').samplePayload(type));
    const headers = getProvider('trophy').scheme.sign(Buffer.from(body), { secret: key });
    return { headers: zapierHeaders(headers), content: body };
  }

  test('a correctly signed request gives one item with an id; a forged one halts', async () => {
    const authData = { provider: 'trophy', signing_secret: `old-secret, ${secret}` };
    const items = (await appTester(op('trophy_points_changed', 'perform'), { authData, rawRequest: signedTrophy('points.changed') })) as {
      id: string;
    }[];
    expect(items).toHaveLength(1);
    expect(items[0]!.id).toMatch(/^sha256_/);
    const error = await appTester(op('trophy_points_changed', 'perform'), {
      authData,
      rawRequest: signedTrophy('points.changed', 'forged'),
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('HaltedError');
    expect(await appTester(op('trophy_any_event', 'perform'), { authData, rawRequest: signedTrophy('streak.extended') })).toHaveLength(1);
  });

  test('Trackpilots: timestamped signature through Zapier-style headers', async () => {
    const body = JSON.stringify(getProvider('trackpilots').samplePayload('desktop.app_tracking.captured'));
    const headers = getProvider('trackpilots').scheme.sign(Buffer.from(body), { secret: 's' });
    const items = await appTester(op('trackpilots_desktop_app_tracking_captured', 'perform'), {
      authData: { provider: 'trackpilots', signing_secret: 's' },
      rawRequest: { headers: zapierHeaders(headers), content: body },
    });
    expect(items).toHaveLength(1);
  });

  test('manual triggers have no subscribe step and explain where to paste the URL', () => {
    const trigger = App.triggers.trophy_points_changed!.operation;
    expect(trigger.performSubscribe).toBeUndefined();
    expect(JSON.stringify(trigger.inputFields)).toContain('Webhooks page of the Trophy dashboard');
  });

  test('auth test: a manual provider needs its secret', async () => {
    await expect(appTester(App.authentication.test as Op, { authData: { provider: 'trophy' } })).rejects.toThrow(
      'needs the signing secret',
    );
    expect(await appTester(App.authentication.test as Op, { authData: { provider: 'trophy', signing_secret: 's' } })).toEqual({
      provider: 'Trophy',
    });
  });

  test("a trigger used with another provider's connection says so", async () => {
    await expect(
      appTester(op('trophy_points_changed', 'perform'), {
        authData: { provider: 'trackscore', signing_secret: 's' },
        rawRequest: signedTrophy('points.changed'),
      }),
    ).rejects.toThrow('This trigger is for Trophy');
  });
});

describe('shape, samples and validation', () => {
  test('one hook trigger per provider event plus "any event" per provider', () => {
    const keys = Object.keys(App.triggers);
    expect(keys).toHaveLength(12 + 1 + 5 + 1 + 4 + 1 + 3 + 1);
    expect(App.triggers.trackscore_score_updated!.noun).toBe('Score Updated');
  });

  test("what Zapier's online checks require: performList, sample with an id, outputFields, for every hook trigger", async () => {
    for (const [key, trigger] of Object.entries(App.triggers)) {
      const o = trigger.operation;
      expect(o.type).toBe('hook');
      expect(typeof o.performList).toBe('function');
      expect(o.sample.id).toEqual(expect.any(String));
      expect(o.outputFields.length).toBeGreaterThan(3);
      const provider = key.split('_')[0]!;
      const listed = (await appTester(o.performList as Op, { authData: { provider } })) as Record<string, unknown>[];
      expect(listed.length).toBeGreaterThan(0);
      for (const item of listed) expect(Object.keys(item).sort()).toEqual(Object.keys(o.sample).sort());
    }
  });

  test('offline schema validation passes (createAppHandler validate)', async () => {
    const results = await new Promise<unknown>((resolvePromise, reject) =>
      // createAppHandler is part of the runtime API but not of the published types.
      (
        zapier as unknown as {
          createAppHandler: (app: unknown) => (event: unknown, ctx: unknown, cb: (err: unknown, res: unknown) => void) => void;
        }
      ).createAppHandler(App)({ command: 'validate' }, {}, (err, res) => (err ? reject(err) : resolvePromise(res))),
    );
    expect((results as { results: unknown[] }).results).toEqual([]);
  });

  test('the bundled folder loads with only its own node_modules (no workspace links)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hb-zapier-'));
    const pkg = resolve(__dirname, '..');
    cpSync(join(pkg, 'index.js'), join(dir, 'index.js'));
    cpSync(join(pkg, 'package.json'), join(dir, 'package.json'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(realpathSync(dirname(require.resolve('zapier-platform-core'))), join(dir, 'node_modules', 'zapier-platform-core'));
    writeFileSync(
      join(dir, 'check.js'),
      "const App = require('./index.js'); console.log(Object.keys(App.triggers).length); try { require.resolve('@hookbridge/core'); console.log('LEAK'); } catch { console.log('isolated'); }",
    );
    const out = execFileSync(process.execPath, ['check.js'], { cwd: dir, env: { PATH: process.env.PATH ?? '' } })
      .toString()
      .trim()
      .split('\n');
    expect(out).toEqual(['28', 'isolated']);
  });
});

describe('creates', () => {
  const perform = (key: string) => App.creates[key]!.operation.perform as Op;

  test.each(['slack', 'discord', 'teams'])('format_message → %s payload', async (platform) => {
    const result = (await appTester(perform('format_message'), {
      inputData: {
        platform,
        provider: 'trackscore',
        event_type: 'score.updated',
        subject: 'Ada',
        text: 'Ada scored 950',
        data: { old_score: 850, new_score: 950 },
      },
    })) as { payload: string };
    const payload = JSON.parse(result.payload) as Record<string, unknown>;
    expect(JSON.stringify(payload)).toContain('850 → 950');
    if (platform === 'slack') expect(payload.blocks).toBeDefined();
    if (platform === 'discord') expect(payload.allowed_mentions).toEqual({ parse: [] });
    if (platform === 'teams') expect(payload.type).toBe('message');
  });

  test('render_template: text and JSON modes; a bad template is a clear error with its line', async () => {
    const text = await appTester(perform('render_template'), {
      inputData: { mode: 'text', template: '{{event.type}}: {{number event.data.score}}', event_type: 'x', data: '{"score": 1234.5}' },
    });
    expect(text).toEqual({ result: 'x: 1,234.5' });
    const json = (await appTester(perform('render_template'), {
      inputData: { mode: 'json', template: '{"score": "{{event.data.score}}"}', data: '{"score": 7}' },
    })) as { output: unknown };
    expect(json.output).toEqual({ score: 7 });
    await expect(
      appTester(perform('render_template'), { inputData: { mode: 'text', template: 'line 1\n{{#if x}} unclosed' } }),
    ).rejects.toThrow(/line 2/);
    await expect(
      appTester(perform('render_template'), { inputData: { mode: 'text', template: '{{a}}', data: '{not json' } }),
    ).rejects.toThrow('Data is not valid JSON');
  });
});
