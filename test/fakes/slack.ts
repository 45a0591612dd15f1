import { reply, startFake, type FakeServer, type RecordedRequest } from './server';

type Json = Record<string, unknown>;

/** The checks Slack applies to Block Kit, answered the way Slack answers them. */
export function slackBlockErrors(message: Json): string[] {
  const errors: string[] = [];
  const blocks = (message.blocks as Json[] | undefined) ?? [];
  const len = (t: unknown) => (typeof t === 'object' && t ? String((t as Json).text ?? '') : '').length;
  if (blocks.length > 50) errors.push('[ERROR] no more than 50 items allowed [json-pointer:/blocks]');
  blocks.forEach((b, i) => {
    if (b.type === 'header' && (len(b.text) > 150 || len(b.text) === 0))
      errors.push(`[ERROR] must be less than 151 characters [json-pointer:/blocks/${i}/text/text]`);
    if (b.type === 'section') {
      if (b.text !== undefined && (len(b.text) > 3000 || len(b.text) === 0))
        errors.push(`[ERROR] must be less than 3001 characters [json-pointer:/blocks/${i}/text/text]`);
      const fields = (b.fields as unknown[] | undefined) ?? [];
      if (fields.length > 10) errors.push(`[ERROR] must be no more than 10 items [json-pointer:/blocks/${i}/fields]`);
      fields.forEach(
        (f, j) => len(f) > 2000 && errors.push(`[ERROR] must be less than 2001 characters [json-pointer:/blocks/${i}/fields/${j}/text]`),
      );
      if (b.text === undefined && fields.length === 0) errors.push(`[ERROR] must provide text or fields [json-pointer:/blocks/${i}]`);
    }
    if (b.type === 'context' && ((b.elements as unknown[]) ?? []).length > 10)
      errors.push(`[ERROR] must be no more than 10 items [json-pointer:/blocks/${i}/elements]`);
  });
  return errors;
}

function parseBody(req: RecordedRequest): Json {
  if (String(req.headers['content-type']).includes('application/json')) return JSON.parse(req.body || '{}') as Json;
  const form = Object.fromEntries(new URLSearchParams(req.body));
  const out: Json = { ...form };
  for (const key of ['blocks', 'attachments']) if (typeof form[key] === 'string') out[key] = JSON.parse(form[key]!);
  return out;
}

export interface FakeSlack extends FakeServer {
  apiUrl: string;
  webhookUrl: string;
  posted: Json[];
}

/** Slack's Web API (`/api/chat.postMessage`) and an incoming webhook (`/services/T000/B000/XXXX`). */
export async function startFakeSlack(token = 'xoxb-test-token'): Promise<FakeSlack> {
  const posted: Json[] = [];
  const fake = await startFake((req, res) => {
    if (req.path.startsWith('/api/chat.postMessage')) {
      const body = parseBody(req);
      if (req.headers.authorization !== `Bearer ${token}`) return reply(res, 200, { ok: false, error: 'invalid_auth' });
      if (!body.channel) return reply(res, 200, { ok: false, error: 'channel_not_found' });
      const errors = slackBlockErrors(body);
      if (errors.length) return reply(res, 200, { ok: false, error: 'invalid_blocks', response_metadata: { messages: errors } });
      posted.push(body);
      return reply(res, 200, {
        ok: true,
        channel: body.channel,
        ts: `1718000000.${String(posted.length).padStart(6, '0')}`,
        message: body,
      });
    }
    if (req.path === '/services/T000/B000/XXXX') {
      const body = JSON.parse(req.body) as Json;
      const errors = slackBlockErrors(body);
      if (errors.length) return reply(res, 400, 'invalid_blocks');
      if (!body.text && !body.blocks) return reply(res, 400, 'no_text');
      posted.push(body);
      return reply(res, 200, 'ok');
    }
    return reply(res, 404, 'no_service');
  });
  return Object.assign(fake, { apiUrl: `${fake.url}/api/`, webhookUrl: `${fake.url}/services/T000/B000/XXXX`, posted });
}
