import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { getProvider } from '@hookbridge/core';
import { ProviderEmulator } from '../../packages/relay/src/emulator';
import { HookbridgeTrigger } from '../../packages/n8n-nodes-hookbridge/nodes/HookbridgeTrigger/HookbridgeTrigger.node';
import { Hookbridge } from '../../packages/n8n-nodes-hookbridge/nodes/Hookbridge/Hookbridge.node';
import { HookbridgeApi } from '../../packages/n8n-nodes-hookbridge/credentials/HookbridgeApi.credentials';
import { hookContext, executeContext } from './doubles';

const trigger = new HookbridgeTrigger();
const lifecycle = trigger.webhookMethods.default;

/** Where n8n would be listening: records what the emulated provider posts. */
async function catcher() {
  const received: { headers: IncomingHttpHeaders; rawBody: Buffer }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    prodUrl: `${base}/webhook/abc/webhook`,
    testUrl: `${base}/webhook-test/abc/webhook`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}

describe('Hookbridge Trigger lifecycle against the Trakkr emulator', () => {
  let emulator: ProviderEmulator;
  let credentials: IDataObject;
  const parameters = { provider: 'trakkr', brandId: 'brand-n8n', trakkrEvents: ['citation_gained', 'citation_lost'], options: {} };
  beforeAll(async () => {
    emulator = new ProviderEmulator({ provider: 'trakkr', apiKey: 'n8n_key' });
    credentials = { baseUrl: await emulator.listen(), apiKey: 'n8n_key', signingSecrets: '' };
  });
  afterAll(() => emulator.close());

  test('create subscribes the webhook URL with the selected events and a generated secret in static data', async () => {
    const c = await catcher();
    const staticData: IDataObject = {};
    const { hook, recorded } = hookContext({ parameters, credentials, staticData, webhookUrl: c.prodUrl });
    expect(await lifecycle.checkExists.call(hook)).toBe(false);
    expect(await lifecycle.create.call(hook)).toBe(true);
    const sub = emulator.subscriptions.find((s) => s.url === c.prodUrl)!;
    // Every REST-hook call went through n8n's helper with the credential; none carried auth of its own.
    expect(recorded.httpCalls.map(({ credential, options }) => [credential, options.method, new URL(options.url).pathname])).toEqual([
      ['hookbridgeApi', 'GET', '/webhooks'],
      ['hookbridgeApi', 'POST', '/webhooks'],
    ]);
    for (const { options } of recorded.httpCalls) {
      expect(Object.keys(options.headers ?? {}).map((h) => h.toLowerCase())).not.toContain('authorization');
      expect(options).toMatchObject({
        returnFullResponse: true,
        ignoreHttpStatusErrors: true,
        disableFollowRedirect: true,
        timeout: 10_000,
      });
    }
    expect(JSON.parse(recorded.httpCalls[1]!.options.body as string)).toMatchObject({ url: c.prodUrl, brand_id: 'brand-n8n' });
    expect(sub).toMatchObject({ events: ['citation_gained', 'citation_lost'], brand_id: 'brand-n8n' });
    expect((staticData.subscriptions as IDataObject)[c.prodUrl]).toEqual({ id: sub.id, secret: sub.signing_secret });
    expect(await lifecycle.checkExists.call(hook)).toBe(true);
    expect(await lifecycle.delete.call(hook)).toBe(true);
    expect(recorded.httpCalls.slice(2).map(({ options }) => [options.method, new URL(options.url).pathname])).toEqual([
      ['GET', `/webhooks/${sub.id}`],
      ['DELETE', `/webhooks/${sub.id}`],
    ]);
    expect(emulator.subscriptions.find((s) => s.url === c.prodUrl)).toBeUndefined();
    await c.close();
  });

  test('create recovers an existing subscription for the same URL when static data was lost', async () => {
    const c = await catcher();
    const first = hookContext({ parameters, credentials, staticData: {}, webhookUrl: c.prodUrl });
    await lifecycle.create.call(first.hook);
    const lostStaticData: IDataObject = {};
    const again = hookContext({ parameters, credentials, staticData: lostStaticData, webhookUrl: c.prodUrl });
    expect(await lifecycle.checkExists.call(again.hook)).toBe(false);
    expect(await lifecycle.create.call(again.hook)).toBe(true);
    expect(emulator.subscriptions.filter((s) => s.url === c.prodUrl)).toHaveLength(1);
    expect((lostStaticData.subscriptions as IDataObject)[c.prodUrl]).toBeDefined();
    await lifecycle.delete.call(again.hook);
    await c.close();
  });

  test('delete tolerates a subscription already deleted at the provider; checkExists notices it is gone', async () => {
    const c = await catcher();
    const staticData: IDataObject = {};
    const { hook } = hookContext({ parameters, credentials, staticData, webhookUrl: c.prodUrl });
    await lifecycle.create.call(hook);
    const id = ((staticData.subscriptions as IDataObject)[c.prodUrl] as { id: string }).id;
    await fetch(`${credentials.baseUrl}/webhooks/${id}`, { method: 'DELETE', headers: { authorization: 'Bearer n8n_key' } });
    expect(await lifecycle.checkExists.call(hook)).toBe(false);
    (staticData.subscriptions as IDataObject)[c.prodUrl] = { id, secret: 'x' };
    expect(await lifecycle.delete.call(hook)).toBe(true);
    await c.close();
  });

  test('test and production URLs keep separate subscriptions', async () => {
    const c = await catcher();
    const staticData: IDataObject = {};
    const prod = hookContext({ parameters, credentials, staticData, webhookUrl: c.prodUrl });
    const test = hookContext({ parameters, credentials, staticData, webhookUrl: c.testUrl });
    await lifecycle.create.call(prod.hook);
    await lifecycle.create.call(test.hook);
    await lifecycle.delete.call(test.hook);
    expect(emulator.subscriptions.map((s) => s.url)).toContain(c.prodUrl);
    expect(emulator.subscriptions.map((s) => s.url)).not.toContain(c.testUrl);
    expect(await lifecycle.checkExists.call(prod.hook)).toBe(true);
    await lifecycle.delete.call(prod.hook);
    await c.close();
  });

  test('a wrong API key is a NodeApiError with the provider message', async () => {
    const { hook } = hookContext({
      parameters,
      credentials: { ...credentials, apiKey: 'nope' },
      staticData: {},
      webhookUrl: 'http://127.0.0.1:1/webhook/x',
    });
    await expect(lifecycle.create.call(hook)).rejects.toMatchObject({ name: 'NodeApiError', message: expect.stringContaining('401') });
  });

  test('webhook(): a signed event runs the workflow; a forged one gets 401 and no run; a duplicate is dropped', async () => {
    const c = await catcher();
    const staticData: IDataObject = {};
    const { hook } = hookContext({ parameters, credentials, staticData, webhookUrl: c.prodUrl });
    await lifecycle.create.call(hook);
    await emulator.trigger('citation_gained');
    const request = c.received[0]!;

    const ok = hookContext({
      parameters: { ...parameters, options: { includeHeaders: true } },
      credentials,
      staticData,
      webhookUrl: c.prodUrl,
      request,
      workflowId: 'wf-dup',
    });
    const result = await trigger.webhook.call(ok.webhook);
    const item = result.workflowData![0]![0]!.json as IDataObject;
    expect(item).toMatchObject({ provider: 'trakkr', type: 'citation_gained', brand: { id: 'brand-n8n' } });
    expect((item.headers as IDataObject)['x-trakkr-signature']).toBe('[redacted]');

    const again = hookContext({ parameters, credentials, staticData, webhookUrl: c.prodUrl, request, workflowId: 'wf-dup' });
    expect(await trigger.webhook.call(again.webhook)).toEqual({ noWebhookResponse: true });
    expect(again.recorded).toMatchObject({ status: 200, body: { duplicate: true } });

    const forged = { headers: { ...request.headers, 'x-trakkr-signature': 'sha256=' + 'b'.repeat(64) }, rawBody: request.rawBody };
    const bad = hookContext({ parameters, credentials, staticData, webhookUrl: c.prodUrl, request: forged });
    expect(await trigger.webhook.call(bad.webhook)).toEqual({ noWebhookResponse: true });
    expect(bad.recorded).toMatchObject({ status: 401, body: { error: 'signature_mismatch' } });
    await lifecycle.delete.call(hook);
    await c.close();
  });

  test('webhook(): output as original payload or shaped by a JSON template', async () => {
    const c = await catcher();
    const staticData: IDataObject = {};
    const { hook } = hookContext({ parameters, credentials, staticData, webhookUrl: c.prodUrl });
    await lifecycle.create.call(hook);
    await emulator.trigger('citation_lost');
    const request = c.received[0]!;
    const payload = hookContext({
      parameters: { ...parameters, options: { output: 'payload', dedupeSeconds: 0 } },
      credentials,
      staticData,
      webhookUrl: c.prodUrl,
      request,
    });
    expect((await trigger.webhook.call(payload.webhook)).workflowData![0]![0]!.json).toEqual(JSON.parse(request.rawBody.toString()));
    const template = hookContext({
      parameters: {
        ...parameters,
        options: { output: 'template', dedupeSeconds: 0, template: '{"who": "{{brand.name}}", "domain": "{{event.data.domain}}"}' },
      },
      credentials,
      staticData,
      webhookUrl: c.prodUrl,
      request,
    });
    expect((await trigger.webhook.call(template.webhook)).workflowData![0]![0]!.json).toEqual({
      who: 'Acme Coffee',
      domain: 'blog.example',
    });
    await lifecycle.delete.call(hook);
    await c.close();
  });
});

describe("Hookbridge API credential: the auth types of Trakkr's webhook docs", () => {
  const credential = new HookbridgeApi();
  const cases = [
    { authType: 'bearer', demands: { type: 'bearer', token: 'k1' }, fields: { apiKey: 'k1' } },
    {
      authType: 'api_key',
      demands: { type: 'api_key', header: 'X-Trakkr-Key', value: 'k2' },
      fields: { apiKey: 'k2', headerName: 'X-Trakkr-Key' },
    },
    { authType: 'basic', demands: { type: 'basic', username: 'acme', password: 'k3' }, fields: { username: 'acme', password: 'k3' } },
    { authType: 'none', demands: { type: 'none' }, fields: {} },
  ] as const;

  test('the form offers exactly those types, each field shown only for its type', () => {
    const authType = credential.properties.find((p) => p.name === 'authType')!;
    expect(authType.options!.map((o) => ('value' in o ? o.value : undefined))).toEqual(['bearer', 'api_key', 'basic', 'none']);
    expect(authType.default).toBe('bearer');
    const shownFor = (name: string) => credential.properties.find((p) => p.name === name)!.displayOptions?.show?.authType;
    expect(shownFor('headerName')).toEqual(['api_key']);
    expect(shownFor('username')).toEqual(['basic']);
  });

  test.each(cases)(
    '$authType: the credential test request and the trigger lifecycle both pass the API',
    async ({ authType, demands, fields }) => {
      const emulator = new ProviderEmulator({ provider: 'trakkr', apiAuth: demands });
      const baseUrl = await emulator.listen();
      const credentials: ICredentialDataDecryptedObject & IDataObject = { baseUrl, authType, ...fields };
      try {
        // What n8n does for "Test credential": the test request, authenticated by the credential.
        const request = credential.test.request;
        const signed = await credential.authenticate(credentials, { url: `${baseUrl}${request.url}`, method: 'GET', headers: {} });
        const response = await fetch(signed.url, { headers: signed.headers as Record<string, string> });
        expect(response.status).toBe(200);
        if (authType !== 'none') {
          const unsigned = await fetch(signed.url);
          expect(unsigned.status).toBe(401);
        }

        const c = await catcher();
        const staticData: IDataObject = {};
        const { hook } = hookContext({
          parameters: { provider: 'trakkr', brandId: 'b', trakkrEvents: ['citation_gained'], options: {} },
          credentials,
          staticData,
          webhookUrl: c.prodUrl,
        });
        expect(await lifecycle.create.call(hook)).toBe(true);
        expect(emulator.subscriptions.map((s) => s.url)).toEqual([c.prodUrl]);
        expect(await lifecycle.delete.call(hook)).toBe(true);
        expect(emulator.subscriptions).toEqual([]);
        await c.close();
      } finally {
        await emulator.close();
      }
    },
  );

  test('credentials saved before the choice existed keep working as Bearer', async () => {
    const signed = await credential.authenticate({ apiKey: 'old' }, { url: 'http://127.0.0.1/webhooks', headers: {} });
    expect(signed.headers).toEqual({ authorization: 'Bearer old' });
  });

  test('an unusable credential fails with the reason, not a 401 later', async () => {
    await expect(credential.authenticate({ authType: 'api_key', apiKey: 'k', headerName: 'X Key' }, { url: 'http://x' })).rejects.toThrow(
      '"X Key" is not a valid header name',
    );
  });
});

describe('Hookbridge Trigger for manual providers', () => {
  test('no subscription calls; verification with the credential secrets; unselected events ignored', async () => {
    const parameters = { provider: 'trophy', trophyEvents: ['points.changed'], options: {} };
    const credentials = { signingSecrets: 'old, trophy-secret' };
    const { hook } = hookContext({ parameters, credentials, staticData: {}, webhookUrl: 'http://127.0.0.1:1/webhook/t' });
    expect(await lifecycle.checkExists.call(hook)).toBe(true);
    expect(await lifecycle.create.call(hook)).toBe(true);
    const sign = (type: string) => {
      const rawBody = Buffer.from(JSON.stringify(getProvider('trophy').samplePayload(type)));
      return { rawBody, headers: getProvider('trophy').scheme.sign(rawBody, { secret: 'trophy-secret' }) };
    };
    const ok = hookContext({
      parameters,
      credentials,
      staticData: {},
      webhookUrl: 'http://127.0.0.1:1/webhook/t',
      request: sign('points.changed'),
      workflowId: 'wf-manual',
    });
    expect((await trigger.webhook.call(ok.webhook)).workflowData![0]![0]!.json).toMatchObject({
      type: 'points.changed',
      provider: 'trophy',
    });
    const other = hookContext({
      parameters,
      credentials,
      staticData: {},
      webhookUrl: 'http://127.0.0.1:1/webhook/t',
      request: sign('streak.extended'),
      workflowId: 'wf-manual',
    });
    expect(await trigger.webhook.call(other.webhook)).toEqual({ noWebhookResponse: true });
    expect(other.recorded.body).toMatchObject({ ignored: true });
  });
});

describe('Hookbridge action node', () => {
  const node = new Hookbridge();
  const item = {
    json: {
      id: 'e1',
      provider: 'trackscore',
      type: 'score.updated',
      occurredAt: '2025-06-09T10:30:00Z',
      summary: 'Ada scored',
      subject: 'Ada',
      data: { old_score: 1, new_score: 2 },
    },
  };

  test.each(['slack', 'discord', 'teams'])('format message for %s from a trigger item', async (platform) => {
    const [out] = await node.execute.call(executeContext([item], { operation: 'formatMessage', platform, title: '', text: '' }));
    expect(JSON.stringify(out![0]!.json.message)).toContain('1 → 2');
  });

  test('render template: text and JSON, and an error that points at the line', async () => {
    const [text] = await node.execute.call(
      executeContext([item], {
        operation: 'renderTemplate',
        mode: 'text',
        template: '{{upper subject}} {{event.data.new_score}}',
        field: 'out',
      }),
    );
    expect(text![0]!.json.out).toBe('ADA 2');
    const [json] = await node.execute.call(
      executeContext([item], {
        operation: 'renderTemplate',
        mode: 'json',
        template: '{"score": "{{event.data.new_score}}"}',
        field: 'out',
      }),
    );
    expect(json![0]!.json.out).toEqual({ score: 2 });
    await expect(
      node.execute.call(executeContext([item], { operation: 'renderTemplate', mode: 'text', template: 'ok\n{{#each x}}', field: 'out' })),
    ).rejects.toMatchObject({
      name: 'NodeOperationError',
      description: expect.stringContaining('line 2'),
    });
  });
});
