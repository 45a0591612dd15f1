import { eventFromPayload, listProviders, type HookEvent, type DeliverOptions } from '@hookbridge/core';
import { startFakeTeams, type FakeTeams } from '../../../test/fakes/teams';
import { format, validateMessage, validateCard, messageBytes, sendToTeams, inspectTeamsAnswer, TEAMS_MAX_BYTES } from '.';

const allEvents: [string, string, HookEvent][] = listProviders().flatMap((p) =>
  p.events.map((e) => [p.id, e.type, eventFromPayload(p, p.samplePayload(e.type))] as [string, string, HookEvent]),
);
const byType = (t: string) => allEvents.find(([, type]) => type === t)![2];

describe('format', () => {
  test.each(allEvents)('%s %s: an Adaptive Card 1.5 that parses with no validation events', (_p, type, event) => {
    const message = format(event);
    expect(validateMessage(message)).toEqual([]);
    const card = message.attachments[0].content;
    expect(card.version).toBe('1.5');
    expect(JSON.stringify(card.body)).toContain(type);
  });

  test('the envelope is what Workflows expects', () => {
    const message = format(byType('score.updated'));
    expect(message).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }],
    });
    expect(message.attachments[0].content.body).toContainEqual({
      type: 'FactSet',
      facts: expect.arrayContaining([
        { title: 'Score', value: '850 → 950' },
        { title: 'Rank', value: '5 → 3' },
      ]),
    });
  });

  test('validation really catches a broken card', () => {
    expect(validateCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Bogus' }] }).length).toBeGreaterThan(0);
  });

  test('an oversized event still fits in 28 KB and says what it left out', () => {
    const data: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) data[`field_${i}`] = 'v'.repeat(900);
    const event: HookEvent = {
      id: 'big',
      provider: 'trackpilots',
      type: 'desktop.app_tracking.captured',
      occurredAt: '2025-06-09T10:30:00Z',
      data,
      raw: data,
      summary: 'S'.repeat(50_000),
    };
    const message = format(event);
    expect(messageBytes(message)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(validateMessage(message)).toEqual([]);
    expect(JSON.stringify(message)).toContain('more fields not shown');
  });

  test('a JSON template can build the card', () => {
    const template = {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [{ type: 'TextBlock', text: '{{brand.name}}: {{event.data.current_score}}', wrap: true }],
    };
    const message = format(byType('visibility_changed'), { template });
    expect(message.attachments[0].content.body).toEqual([{ type: 'TextBlock', text: 'Acme Coffee: 51', wrap: true }]);
    expect(validateMessage(message)).toEqual([]);
  });
});

describe('sendToTeams against a local Workflows trigger', () => {
  let teams: FakeTeams;
  const waits: number[] = [];
  const local: DeliverOptions = { guard: { allowLoopback: true, allowHttpHosts: ['127.0.0.1'] }, sleep: async (ms) => void waits.push(ms) };
  beforeEach(async () => {
    teams = await startFakeTeams();
    waits.length = 0;
  });
  afterEach(() => teams.close());

  test('202 Accepted delivers the card', async () => {
    const result = await sendToTeams(format(byType('achievement.unlocked')), teams.workflowUrl, local);
    expect(result).toMatchObject({ ok: true, status: 202 });
    expect(teams.cards).toHaveLength(1);
  });

  test('429 waits Retry-After; an error inside a 200 body is retried', async () => {
    teams.script.push(
      { status: 429, headers: { 'retry-after': '5' } },
      { status: 200, body: 'Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0' },
    );
    const result = await sendToTeams(format(byType('achievement.unlocked')), teams.workflowUrl, local);
    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => a.status)).toEqual([429, 200, 202]);
    expect(waits).toEqual([5000, 2000]);
  });

  test('a 400 is final and keeps the platform message', async () => {
    const result = await sendToTeams(
      {
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'Nope' } as never }],
      },
      teams.workflowUrl,
      local,
    );
    expect(result).toMatchObject({ ok: false, status: 400, error: { code: 'http_error', retryable: false } });
    expect(result.responseBody).toContain('InvalidTemplate');
  });

  test('inspectTeamsAnswer', () => {
    expect(inspectTeamsAnswer({ status: 200, headers: {}, body: '1' })).toBeUndefined();
    expect(inspectTeamsAnswer({ status: 202, headers: {}, body: '' })).toBeUndefined();
    expect(
      inspectTeamsAnswer({
        status: 200,
        headers: {},
        body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413',
      })?.retryable,
    ).toBe(true);
  });
});
