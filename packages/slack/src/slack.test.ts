import { eventFromPayload, listProviders, DeliveryError, type HookEvent } from '@hookbridge/core';
import { startFakeSlack, slackBlockErrors, type FakeSlack } from '../../../test/fakes/slack';
import { WebClient } from '@slack/web-api';
import { IncomingWebhook } from '@slack/webhook';
import { format, sendWithBot, sendWithWebhook, SLACK_LIMITS, type SlackMessage } from '.';

const allEvents: [string, string, HookEvent][] = listProviders().flatMap((p) =>
  p.events.map((e) => [p.id, e.type, eventFromPayload(p, p.samplePayload(e.type))] as [string, string, HookEvent]),
);

function oversized(): HookEvent {
  const data: Record<string, unknown> = { old_score: 1, new_score: 2, title: 'T'.repeat(5000) };
  for (let i = 0; i < 600; i++) data[`field_${i}`] = 'v'.repeat(2500);
  return {
    id: 'big',
    provider: 'trackscore',
    type: 'score.updated',
    occurredAt: '2025-06-09T10:30:00Z',
    data,
    raw: data,
    summary: 'S'.repeat(10_000),
    subject: 'X'.repeat(400),
  };
}

describe('format', () => {
  test.each(allEvents)('%s %s: a valid Block Kit message with header, summary, fields, context', (_p, type, event) => {
    const message = format(event);
    expect(slackBlockErrors(message as unknown as Record<string, unknown>)).toEqual([]);
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    expect(message.blocks.at(-1)).toMatchObject({ type: 'context' });
    expect(message.text).toContain(':');
    expect(JSON.stringify(message.blocks.at(-1))).toContain(`\`${type}\``);
  });

  test("score.updated shows old → new score and rank, TrackScore's webhook docs style", () => {
    const message = format(allEvents.find(([p, t]) => p === 'trackscore' && t === 'score.updated')![2]);
    const fields = JSON.stringify(message.blocks);
    expect(fields).toContain('*Score*\\n850 → 950');
    expect(fields).toContain('*Rank*\\n5 → 3');
    expect(message.text).toBe('Score Updated · pt_555666777: pt_555666777 scored 850 → 950 (rank 5 → 3)');
  });

  test('a report link becomes a button', () => {
    const message = format(allEvents.find(([, t]) => t === 'report_completed')![2]);
    expect(message.blocks.find((b) => b.type === 'actions')).toMatchObject({
      elements: [{ url: 'https://app.trakkr.example/reports/rpt_8d2f61' }],
    });
  });

  test('every limit holds for an oversized event', () => {
    const message = format(oversized());
    expect(slackBlockErrors(message as unknown as Record<string, unknown>)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBe(150);
    expect(header.text.text.endsWith('…')).toBe(true);
    expect(message.blocks.at(-1)!.type).toBe('context');
    expect(JSON.stringify(message.blocks)).toContain('more fields');
  });

  test('values are escaped for mrkdwn and cannot ping the channel', () => {
    const event = { ...allEvents[0]![2], summary: 'Tom & <Jerry> <!channel> <@U123>' };
    const text = JSON.stringify(format(event));
    expect(text).toContain('Tom &amp; &lt;Jerry&gt; &lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
  });

  test('a JSON template replaces the message; mentions written into it are neutralised unless the route opts in', () => {
    const event = allEvents.find(([, t]) => t === 'visibility_changed')![2];
    const template = {
      text: '<!channel> {{brand.name}} moved to {{event.data.current_score}}',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*{{summary}}*' } }],
    };
    const message = format(event, { template });
    expect(message.text).toBe('&lt;!channel&gt; Acme Coffee moved to 51');
    expect(message.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*Acme Coffee visibility increased 21.4% (42 → 51)*' } },
    ]);
    expect(format(event, { template, allowMentions: true }).text.startsWith('<!channel>')).toBe(true);
  });

  test('text and title templates override the defaults', () => {
    const event = allEvents.find(([, t]) => t === 'points.changed')![2];
    const message = format(event, {
      title: '{{upper providerName}}',
      text: '{{event.data.user.name}} has {{number event.data.points.total}} XP',
    });
    expect(message.blocks[0]).toMatchObject({ text: { text: 'TROPHY' } });
    expect(message.blocks[1]).toMatchObject({ text: { text: 'Sam Rivera has 1,250 XP' } });
  });
});

/** The fake Slack listens on loopback over http, which the address policy refuses unless told. */
const local = { allowLoopback: true, allowHttpHosts: ['127.0.0.1'] };

describe('senders against a local Slack', () => {
  let slack: FakeSlack;
  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(() => slack.close());
  const message = () => format(allEvents[0]![2]);

  test('chat.postMessage with a bot token posts the blocks to the channel', async () => {
    const result = await sendWithBot(message(), { token: 'xoxb-test-token', channel: 'C123', slackApiUrl: slack.apiUrl, guard: local });
    expect(result).toMatchObject({ ok: true, channel: 'C123' });
    expect(slack.posted[0]).toMatchObject({ channel: 'C123', text: message().text });
    expect(slack.posted[0]!.blocks).toEqual(message().blocks);
  });

  test("the request is the one Slack's own clients send: same blocks, channel and token as @slack/web-api and @slack/webhook", async () => {
    await sendWithBot(message(), { token: 'xoxb-test-token', channel: 'C123', slackApiUrl: slack.apiUrl, guard: local });
    await new WebClient('xoxb-test-token', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }).chat.postMessage({
      channel: 'C123',
      ...message(),
    });
    // @slack/web-api posts a form, where scalars are strings; we post JSON (Slack takes both).
    const asForm = (m: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'object' ? v : String(v)]));
    expect(asForm(slack.posted[0]!)).toEqual(asForm(slack.posted[1]!));
    expect(slack.requests[0]!.headers.authorization).toBe(slack.requests[1]!.headers.authorization);
    expect(slack.requests[0]!.path).toBe(slack.requests[1]!.path);
    await sendWithWebhook(message(), slack.webhookUrl, { guard: local });
    await new IncomingWebhook(slack.webhookUrl).send(message());
    expect(slack.posted[2]).toEqual(slack.posted[3]);
  });

  test('a wrong token surfaces as a clear platform error', async () => {
    await expect(
      sendWithBot(message(), { token: 'xoxb-wrong', channel: 'C1', slackApiUrl: slack.apiUrl, guard: local }),
    ).rejects.toMatchObject({
      code: 'platform_rejected',
      message: expect.stringContaining('invalid_auth'),
    });
  });

  test('a rejected block names the field', async () => {
    const bad: SlackMessage = { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'H'.repeat(200) } }] };
    await expect(sendWithBot(bad, { token: 'xoxb-test-token', channel: 'C1', slackApiUrl: slack.apiUrl, guard: local })).rejects.toThrow(
      'Slack rejected the message: invalid_blocks at /blocks/0/text/text',
    );
  });

  test('429 with Retry-After is waited out, then the post succeeds', async () => {
    slack.script.push({ status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } });
    const start = Date.now();
    await sendWithBot(message(), { token: 'xoxb-test-token', channel: 'C1', slackApiUrl: slack.apiUrl, guard: local });
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]!.at - slack.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
  });

  test('5xx is retried with backoff', async () => {
    slack.script.push({ status: 500, body: 'oops' });
    await sendWithBot(message(), {
      token: 'xoxb-test-token',
      channel: 'C1',
      slackApiUrl: slack.apiUrl,
      guard: local,
      policy: { delaysMs: [50] },
    });
    expect(slack.posted).toHaveLength(1);
    expect(slack.requests).toHaveLength(2);
  });

  test('incoming webhook: posts, waits Retry-After on 429 (which @slack/webhook alone would not), retries 5xx', async () => {
    slack.script.push({ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' }, { status: 503, body: 'unavailable' });
    const waits: number[] = [];
    const result = await sendWithWebhook(message(), slack.webhookUrl, { guard: local, sleep: async (ms) => void waits.push(ms) });
    expect(result.attempts.map((a) => a.status)).toEqual([429, 503, 200]);
    expect(waits).toEqual([2000, 2000]);
    expect(slack.posted).toHaveLength(1);
  });

  test('incoming webhook: a 400 is final and says why', async () => {
    const bad: SlackMessage = { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'H'.repeat(200) } }] };
    const error = await sendWithWebhook(bad, slack.webhookUrl, { guard: local }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'platform_rejected', status: 400, message: expect.stringContaining('invalid_blocks') });
    expect(slack.requests).toHaveLength(1);
  });
});
