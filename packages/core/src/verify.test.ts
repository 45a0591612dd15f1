import { listProviders, getProvider, createGenericProvider, eventMatches, type KnownHookEvent } from './providers';
import { verifyWebhook, eventFromPayload } from './verify';
import { WebhookVerificationError } from './errors';
import { generateStandardSecret } from './signatures';

const NOW = 1_750_000_000;

function signedRequest(providerId: string, payload: unknown, secret: string) {
  const profile = getProvider(providerId);
  const rawBody = Buffer.from(JSON.stringify(payload));
  return { headers: profile.scheme.sign(rawBody, { secret, timestamp: NOW, id: 'msg_std' }), rawBody };
}

function verifyCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookVerificationError);
    return (e as WebhookVerificationError).code;
  }
  throw new Error('did not throw');
}

const secretFor = (id: string) => (id === 'standard' ? generateStandardSecret() : `${id}-secret`);

describe('every provider and every sample event verifies into a canonical event', () => {
  const cases = listProviders().flatMap((p) =>
    (p.events.length ? p.events.map((e) => e.type) : ['thing.happened']).map((type) => [p.id, type] as const),
  );
  test.each(cases)('%s %s', (providerId, type) => {
    const secret = secretFor(providerId);
    const payload = getProvider(providerId).samplePayload(type, { id: 'evt_42', occurredAt: '2025-06-10T08:00:00Z' });
    const event = verifyWebhook(signedRequest(providerId, payload, secret), { provider: providerId, secrets: [secret], now: NOW });
    expect(event.provider).toBe(providerId);
    expect(event.type).toBe(type);
    expect(event.id).toBeTruthy();
    expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
    expect(event.raw).toEqual(payload);
    if (providerId !== 'standard') expect(event.summary).toEqual(expect.any(String));
  });

  test("catalogues are exactly the names in the providers' webhook docs", () => {
    const types = (id: string) => getProvider(id).events.map((e) => e.type);
    expect(types('trackscore')).toEqual([
      'score.updated',
      'leaderboard.created',
      'leaderboard.updated',
      'ranking.changed',
      'competition.started',
      'competition.ended',
      'participant.added',
      'participant.updated',
      'team.created',
      'team.member_added',
      'achievement.unlocked',
      'milestone.reached',
    ]);
    expect(types('trakkr')).toEqual(['visibility_changed', 'report_completed', 'competitor_added', 'citation_gained', 'citation_lost']);
    expect(types('trophy')).toEqual(['achievement.completed', 'leaderboard.started', 'points.changed', 'streak.extended']);
    expect(types('trackpilots')).toEqual([
      'desktop.screenshot_tracking.captured',
      'desktop.app_tracking.captured',
      'desktop.activity_tracking.captured',
    ]);
    expect(getProvider('trackpilots').allEventsOption).toBe(true);
    expect(getProvider('trakkr').subscription.kind).toBe('rest-hook');
    expect(getProvider('trophy').subscription.kind).toBe('manual');
  });
});

describe('where each provider keeps id, type and time', () => {
  test("TrackScore: id / type / created, as TrackScore's webhook docs show", () => {
    const payload = getProvider('trackscore').samplePayload('score.updated');
    const event = verifyWebhook(signedRequest('trackscore', payload, 's'), { provider: 'trackscore', secrets: 's', now: NOW });
    expect(event).toMatchObject({
      id: 'wh_1234567890abcdef',
      occurredAt: '2025-06-09T10:30:00.000Z',
      summary: 'pt_555666777 scored 850 → 950 (rank 5 → 3)',
    });
    const narrowed = event as KnownHookEvent;
    if (narrowed.provider === 'trackscore' && narrowed.type === 'score.updated') {
      // Compiles only because HookEvent narrows on provider + type.
      expect(narrowed.data.new_score).toBe(950);
    } else throw new Error('not narrowed');
  });

  test('Trakkr: meta.event_id / event.type / event.timestamp, with brand, workflow and summary', () => {
    const payload = getProvider('trakkr').samplePayload('report_completed', { id: 'evt_x' });
    const event = verifyWebhook(signedRequest('trakkr', payload, 's'), { provider: 'trakkr', secrets: 's', now: NOW });
    expect(event).toMatchObject({
      id: 'evt_x',
      type: 'report_completed',
      brand: { name: 'Acme Coffee' },
      workflow: { name: 'Weekly visibility check' },
      summary: expect.stringContaining('Weekly AI visibility report'),
    });
  });

  test('Trophy: no id in the payload, so the id is a stable hash of the body (same body, same id)', () => {
    const payload = getProvider('trophy').samplePayload('streak.extended');
    const a = verifyWebhook(signedRequest('trophy', payload, 's'), { provider: 'trophy', secrets: 's', now: NOW });
    const b = verifyWebhook(signedRequest('trophy', payload, 's'), { provider: 'trophy', secrets: 's', now: NOW + 60 });
    expect(a.id).toBe(b.id);
    const other = getProvider('trophy').samplePayload('streak.extended', { occurredAt: '2025-07-01T00:00:00Z' });
    expect(verifyWebhook(signedRequest('trophy', other, 's'), { provider: 'trophy', secrets: 's', now: NOW }).id).not.toBe(a.id);
  });

  test('Standard Webhooks: the id is the signed webhook-id header', () => {
    const secret = generateStandardSecret();
    const event = verifyWebhook(signedRequest('standard', { type: 'a.b', data: { x: 1 } }, secret), {
      provider: 'standard',
      secrets: secret,
      now: NOW,
    });
    expect(event).toMatchObject({ id: 'msg_std', type: 'a.b', data: { x: 1 }, occurredAt: new Date(NOW * 1000).toISOString() });
  });

  test('generic: configured scheme, headers and JSON paths', () => {
    const profile = createGenericProvider({
      id: 'acme',
      scheme: 'hmac-sha256-base64',
      headers: { signature: 'x-acme-sig' },
      paths: { id: 'meta.uid', type: 'kind', time: 'at', data: 'payload' },
    });
    const rawBody = JSON.stringify({ kind: 'order.paid', meta: { uid: 'u1' }, at: 1_750_000_000, payload: { total: 5 } });
    const headers = profile.scheme.sign(Buffer.from(rawBody), { secret: 'k' });
    const event = verifyWebhook({ headers, rawBody }, { provider: profile, secrets: 'k', now: NOW });
    expect(event).toMatchObject({
      id: 'u1',
      provider: 'acme',
      type: 'order.paid',
      data: { total: 5 },
      occurredAt: '2025-06-15T15:06:40.000Z',
    });
  });

  test('eventFromPayload builds the same event without a signature (samples, replays)', () => {
    const payload = getProvider('trakkr').samplePayload('citation_lost');
    expect(eventFromPayload('trakkr', payload)).toMatchObject({ type: 'citation_lost', id: 'evt_01j9z3k4m5n6p7q8' });
  });
});

describe('bad input is a typed error, never a crash', () => {
  const sign = (body: Buffer | string) => ({
    headers: getProvider('trakkr').scheme.sign(Buffer.from(body), { secret: 's' }),
    rawBody: body,
  });
  const verify = (req: ReturnType<typeof sign>, extra: object = {}) =>
    verifyWebhook(req, { provider: 'trakkr', secrets: 's', now: NOW, ...extra });

  test('empty body', () => expect(verifyCode(() => verify(sign('')))).toBe('empty_body'));
  test('non-UTF-8 body', () => expect(verifyCode(() => verify(sign(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))))).toBe('invalid_encoding'));
  test('malformed JSON', () => expect(verifyCode(() => verify(sign('{"event":')))).toBe('invalid_json'));
  test('JSON that is not an object', () => expect(verifyCode(() => verify(sign('[1,2]')))).toBe('invalid_payload'));
  test('no event type', () => expect(verifyCode(() => verify(sign('{"meta":{}}')))).toBe('invalid_payload'));
  test('body over the limit, checked before any hashing', () => {
    const error = (() => {
      try {
        verify(sign('x'.repeat(2048)), { maxBodyBytes: 1024 });
      } catch (e) {
        return e as WebhookVerificationError;
      }
    })();
    expect(error).toMatchObject({ code: 'body_too_large', status: 413 });
  });
  test('unknown event type: a signed one is accepted by default (providers add events), rejected on request', () => {
    const body = JSON.stringify({ event: { type: 'brand_renamed', data: {} }, meta: { event_id: 'e' } });
    expect(verify(sign(body)).type).toBe('brand_renamed');
    expect(verifyCode(() => verify(sign(body), { unknownEvents: 'reject' }))).toBe('unknown_event');
  });
  test('unknown provider', () =>
    expect(verifyCode(() => verifyWebhook(sign('{}'), { provider: 'nope', secrets: 's' }))).toBe('unknown_provider'));
  test('statuses: 401 for signatures, 400 for bodies, 413 for size', () => {
    expect(new WebhookVerificationError('signature_mismatch', 'x').status).toBe(401);
    expect(new WebhookVerificationError('invalid_json', 'x').status).toBe(400);
    expect(new WebhookVerificationError('body_too_large', 'x').status).toBe(413);
  });
});

test('eventMatches: exact, wildcard and suffix patterns', () => {
  expect(eventMatches('score.updated', ['score.*'])).toBe(true);
  expect(eventMatches('score.updated', ['*'])).toBe(true);
  expect(eventMatches('leaderboard.created', ['score.*', '*.created'])).toBe(true);
  expect(eventMatches('scores.updated', ['score.*'])).toBe(false);
  expect(eventMatches('score.updated', ['score.updated'])).toBe(true);
});
