import { EmbedBuilder, embedLength, WebhookClient } from 'discord.js';
import { eventFromPayload, listProviders, type HookEvent } from '@hookbridge/core';
import { startFakeDiscord, discordErrors, discordRateLimit, type FakeDiscord } from '../../../test/fakes/discord';
import { format, sendToDiscord, parseWebhookUrl, DISCORD_LIMITS, embedLength as ourEmbedLength, type DiscordMessage } from '.';

const allEvents: [string, string, HookEvent][] = listProviders().flatMap((p) =>
  p.events.map((e) => [p.id, e.type, eventFromPayload(p, p.samplePayload(e.type))] as [string, string, HookEvent]),
);
const byType = (t: string) => allEvents.find(([, type]) => type === t)![2];

function oversized(): HookEvent {
  const data: Record<string, unknown> = {};
  for (let i = 0; i < 40; i++) data[`field_${i}_${'n'.repeat(300)}`] = 'v'.repeat(1500);
  return {
    id: 'big',
    provider: 'trophy',
    type: 'points.changed',
    occurredAt: '2025-06-09T10:30:00Z',
    data,
    raw: data,
    summary: 'S'.repeat(9000),
    subject: 'X'.repeat(400),
  };
}

/**
 * discord.js's own validators: every embed is rebuilt through `EmbedBuilder`'s setters, which
 * throw on anything Discord would refuse (lengths, colour range, URL and timestamp forms), and
 * our `embedLength` must count what discord.js counts. The formatter itself stays free of discord.js.
 */
function expectValidForDiscordJs(message: DiscordMessage): void {
  for (const embed of message.embeds) {
    const builder = new EmbedBuilder();
    if (embed.title !== undefined) builder.setTitle(embed.title);
    if (embed.description !== undefined) builder.setDescription(embed.description);
    if (embed.color !== undefined) builder.setColor(embed.color);
    if (embed.url !== undefined) builder.setURL(embed.url);
    if (embed.timestamp !== undefined) builder.setTimestamp(new Date(embed.timestamp));
    if (embed.footer !== undefined) builder.setFooter(embed.footer);
    if (embed.author !== undefined) builder.setAuthor(embed.author);
    if (embed.fields?.length) builder.addFields(embed.fields);
    expect(builder.toJSON()).toEqual(embed);
    expect(ourEmbedLength(embed)).toBe(embedLength(embed));
  }
}

describe('format', () => {
  test.each(allEvents)('%s %s: one valid embed, mentions off', (providerId, type, event) => {
    const message = format(event);
    expect(discordErrors(message as unknown as Record<string, unknown>)).toEqual({});
    expectValidForDiscordJs(message);
    expect(message.allowed_mentions).toEqual({ parse: [] });
    const embed = message.embeds[0]!;
    expect(embed.footer?.text).toBe(`${listProviders().find((p) => p.id === providerId)!.name} · ${type}`);
    expect(embed.color).toBe(listProviders().find((p) => p.id === providerId)!.accentColor);
    expect(embed.timestamp).toBeDefined();
  });

  test('Trakkr uses its green accent; visibility shows previous → current', () => {
    const embed = format(byType('visibility_changed')).embeds[0]!;
    expect(embed.color).toBe(0x22c55e);
    expect(embed.fields).toContainEqual({ name: 'Score', value: '42 → 51', inline: true });
  });

  test('every limit holds for an oversized event, the 6,000 total included', () => {
    const message = format(oversized());
    const embed = message.embeds[0]!;
    expect(discordErrors(message as unknown as Record<string, unknown>)).toEqual({});
    expectValidForDiscordJs(message);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    expect(embed.fields!.length).toBeLessThanOrEqual(25);
  });

  test('no template can ping @everyone or @here unless the route opts in', () => {
    const event = { ...byType('points.changed'), summary: 'hey @everyone and @here' };
    const text = JSON.stringify(format(event));
    expect(text).not.toMatch(/@everyone|@here/);
    const templated = format(event, { template: { content: '@everyone {{summary}}' } });
    expect(templated.content).not.toMatch(/@everyone/);
    expect(templated.allowed_mentions.parse).toEqual([]);
    const opted = format(event, { template: { content: '@everyone points!' }, allowMentions: ['everyone'] });
    expect(opted.content).toBe('@everyone points!');
    expect(opted.allowed_mentions.parse).toEqual(['everyone']);
  });

  test('template values are markdown-escaped', () => {
    const event = { ...byType('points.changed'), summary: '**bold** _x_' };
    expect(format(event, { text: 'Summary: {{summary}}' }).embeds[0]!.description).toBe('Summary: \\*\\*bold\\*\\* \\_x\\_');
  });

  test('a JSON template builds several embeds, still within limits', () => {
    const template = {
      content: '{{providerName}}',
      embeds: Array.from({ length: 12 }, () => ({ title: '{{event.type}}', description: '{{summary}}' })),
    };
    const message = format(byType('streak.extended'), { template });
    expect(message.content).toBe('Trophy');
    expect(message.embeds).toHaveLength(10);
    expect(message.embeds[0]).toEqual({ title: 'streak.extended', description: 'Sam Rivera extended their streak to 12' });
    expectValidForDiscordJs(message);
  });
});

/** The fake Discord listens on loopback over http, which the address policy refuses unless told. */
const local = { allowLoopback: true, allowHttpHosts: ['127.0.0.1'] };

describe('sendToDiscord against a local Discord', () => {
  let discord: FakeDiscord;
  beforeEach(async () => {
    discord = await startFakeDiscord();
  });
  afterEach(() => discord.close());

  test('executes the webhook with wait=true and allowed_mentions sent explicitly', async () => {
    const result = await sendToDiscord(format(byType('points.changed')), discord.webhookUrl, { guard: local });
    expect(result.messageId).toMatch(/^\d+$/);
    expect(discord.requests[0]!.path).toMatch(/\?wait=true$/);
    expect(discord.messages[0]).toMatchObject({ allowed_mentions: { parse: [] }, embeds: [{ title: 'Points Changed · Sam Rivera' }] });
  });

  test("the request is the one discord.js's WebhookClient sends for the same message", async () => {
    const message = format(byType('points.changed'));
    await sendToDiscord(message, discord.webhookUrl, { guard: local });
    const { api, id, token } = parseWebhookUrl(discord.webhookUrl);
    const client = new WebhookClient({ id, token }, { rest: { api } });
    await client.send({ content: message.content, embeds: message.embeds, allowedMentions: message.allowed_mentions });
    client.destroy();
    const pick = (m: Record<string, unknown>) => ({ content: m.content, embeds: m.embeds, allowed_mentions: m.allowed_mentions });
    expect(pick(discord.messages[0]!)).toEqual(pick(discord.messages[1]!));
    expect(discord.requests[0]!.path).toBe(discord.requests[1]!.path);
  });

  test('429 with retry_after is waited out', async () => {
    discord.script.push(discordRateLimit(0.5));
    await sendToDiscord(format(byType('points.changed')), discord.webhookUrl, { guard: local });
    expect(discord.messages).toHaveLength(1);
    expect(discord.requests[1]!.at - discord.requests[0]!.at).toBeGreaterThanOrEqual(450);
  });

  test('a 5xx is retried', async () => {
    discord.script.push({ status: 502, body: { message: 'bad gateway' } });
    await sendToDiscord(format(byType('points.changed')), discord.webhookUrl, { guard: local });
    expect(discord.messages).toHaveLength(1);
  });

  test('a 400 names the field Discord refused', async () => {
    const bad = { embeds: [{ title: 'T'.repeat(300) }], allowed_mentions: { parse: [] } };
    await expect(sendToDiscord(bad, discord.webhookUrl, { guard: local })).rejects.toMatchObject({
      code: 'platform_rejected',
      status: 400,
      message: expect.stringContaining('embeds[0].title'),
    });
  });

  test('a wrong token is a clear error; a non-Discord URL is refused before sending', async () => {
    await expect(
      sendToDiscord(format(byType('points.changed')), discord.webhookUrl.replace(/\w{4}$/, 'nope'), { guard: local }),
    ).rejects.toMatchObject({
      code: 'platform_rejected',
      status: 401,
    });
    expect(() => parseWebhookUrl('https://example.com/hook')).toThrow('Not a Discord webhook URL');
    expect(parseWebhookUrl('https://discord.com/api/webhooks/123/abc-DEF')).toEqual({
      api: 'https://discord.com/api',
      id: '123',
      token: 'abc-DEF',
    });
  });
});
