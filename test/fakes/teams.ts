import { reply, startFake, type FakeServer } from './server';

type Json = Record<string, unknown>;

export interface FakeTeams extends FakeServer {
  workflowUrl: string;
  cards: Json[];
}

/**
 * A Teams Workflows ("When a Teams webhook request is received") trigger: 202 for a valid
 * Adaptive Card envelope, 400 for anything else, 413 past ~28 KB.
 */
export async function startFakeTeams(): Promise<FakeTeams> {
  const cards: Json[] = [];
  const path = '/workflows/0a1b2c3d/triggers/manual/paths/invoke';
  const fake = await startFake((req, res) => {
    if (!req.path.startsWith(path) || req.method !== 'POST')
      return reply(res, 404, { error: { code: 'TriggerNotFound', message: 'Not found' } });
    if (Buffer.byteLength(req.body) > 28 * 1024)
      return reply(res, 413, { error: { code: 'MessageTooLarge', message: 'Message exceeds 28 KB' } });
    let body: Json;
    try {
      body = JSON.parse(req.body) as Json;
    } catch {
      return reply(res, 400, { error: { code: 'InvalidRequestContent', message: 'Body is not JSON' } });
    }
    const attachment = (body.attachments as Json[] | undefined)?.[0];
    const card = attachment?.content as Json | undefined;
    if (body.type !== 'message' || attachment?.contentType !== 'application/vnd.microsoft.card.adaptive' || card?.type !== 'AdaptiveCard') {
      return reply(res, 400, { error: { code: 'InvalidTemplate', message: 'Expected a message with an Adaptive Card attachment' } });
    }
    if (Number(card.version) > 1.5)
      return reply(res, 400, { error: { code: 'UnsupportedCard', message: 'Teams supports Adaptive Cards up to 1.5' } });
    cards.push(card);
    return reply(res, 202);
  });
  return Object.assign(fake, {
    workflowUrl: `${fake.url}${path}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=fake`,
    cards,
  });
}
