import { reply, startFake, type FakeServer } from './server';

type Json = Record<string, unknown>;

const maxLength = (path: string, max: number) => ({
  [path]: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }] },
});

/** The checks Discord applies to an execute-webhook body, as `{ path: error }` pairs. */
export function discordErrors(body: Json): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (str(body.content).length > 2000) Object.assign(errors, maxLength('content', 2000));
  const embeds = (body.embeds as Json[] | undefined) ?? [];
  if (embeds.length > 10) Object.assign(errors, maxLength('embeds', 10));
  let total = 0;
  embeds.forEach((e, i) => {
    const p = `embeds.${i}`;
    const fields = (e.fields as Json[] | undefined) ?? [];
    const footer = str((e.footer as Json | undefined)?.text);
    const author = str((e.author as Json | undefined)?.name);
    if (str(e.title).length > 256) Object.assign(errors, maxLength(`${p}.title`, 256));
    if (str(e.description).length > 4096) Object.assign(errors, maxLength(`${p}.description`, 4096));
    if (fields.length > 25) Object.assign(errors, maxLength(`${p}.fields`, 25));
    fields.forEach((f, j) => {
      if (str(f.name).length > 256 || !str(f.name)) Object.assign(errors, maxLength(`${p}.fields.${j}.name`, 256));
      if (str(f.value).length > 1024 || !str(f.value)) Object.assign(errors, maxLength(`${p}.fields.${j}.value`, 1024));
    });
    if (footer.length > 2048) Object.assign(errors, maxLength(`${p}.footer.text`, 2048));
    if (author.length > 256) Object.assign(errors, maxLength(`${p}.author.name`, 256));
    total +=
      str(e.title).length +
      str(e.description).length +
      footer.length +
      author.length +
      fields.reduce((n, f) => n + str(f.name).length + str(f.value).length, 0);
  });
  if (total > 6000) errors.embeds = { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }] };
  return errors;
}

export interface FakeDiscord extends FakeServer {
  webhookUrl: string;
  messages: Json[];
}

const ID = '112233445566778899';
const TOKEN = 'fake-token_abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWX';

/** Discord's execute-webhook endpoint: `POST /api/v10/webhooks/{id}/{token}?wait=true`. */
export async function startFakeDiscord(): Promise<FakeDiscord> {
  const messages: Json[] = [];
  const fake = await startFake((req, res) => {
    const match = /^\/api\/v\d+\/webhooks\/(\d+)\/([\w-]+)(\?.*)?$/.exec(req.path);
    if (!match || req.method !== 'POST') return reply(res, 404, { message: '404: Not Found', code: 0 });
    if (match[1] !== ID || match[2] !== TOKEN) return reply(res, 401, { message: 'Invalid Webhook Token', code: 50027 });
    const body = JSON.parse(req.body) as Json;
    if (!body.content && !((body.embeds as unknown[]) ?? []).length)
      return reply(res, 400, { message: 'Cannot send an empty message', code: 50006 });
    const errors = discordErrors(body);
    if (Object.keys(errors).length) return reply(res, 400, { message: 'Invalid Form Body', code: 50035, errors: nest(errors) });
    messages.push(body);
    const wait = new URLSearchParams(match[3]?.slice(1)).get('wait') === 'true';
    if (!wait) return reply(res, 204);
    return reply(res, 200, { id: String(1_200_000_000_000_000_000n + BigInt(messages.length)), channel_id: '998877665544332211', ...body });
  });
  return Object.assign(fake, { webhookUrl: `${fake.url}/api/webhooks/${ID}/${TOKEN}`, messages });
}

/** `{ "embeds.0.title": e }` → `{ embeds: { 0: { title: e } } }`, Discord's error shape. */
function nest(flat: Record<string, unknown>): Json {
  const out: Json = {};
  for (const [path, error] of Object.entries(flat)) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Json;
    node[keys.at(-1)!] = error;
  }
  return out;
}

/** A 429 as Discord sends it: body `retry_after` in seconds (float) and the header. */
export function discordRateLimit(seconds: number) {
  return {
    status: 429,
    headers: { 'retry-after': String(Math.ceil(seconds)), 'x-ratelimit-scope': 'shared' },
    body: { message: 'You are being rate limited.', retry_after: seconds, global: false },
  };
}
