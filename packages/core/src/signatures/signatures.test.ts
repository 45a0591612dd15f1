import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { WebhookVerificationError } from '../errors';
import { headerLookup } from '../headers';
import { verifyWebhook } from '../verify';
import { getProvider } from '../providers';
import {
  base64Scheme,
  hexPrefixedScheme,
  standardWebhooksScheme,
  timestampedScheme,
  generateStandardSecret,
  type SignatureScheme,
} from '.';
import { constantTimeEqual } from './hmac';

const NOW = 1_750_000_000;
const opts = (secrets: string[], now = NOW) => ({ secrets, toleranceSeconds: 300, now });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe("TrackScore: signatures over JSON.stringify(req.body), as TrackScore's webhook docs compute them", () => {
  const secret = 'ts_secret';
  const payload = { id: 'wh_2', type: 'participant.added', created: '2025-06-09T10:30:00Z', data: { name: 'Zoé Café', points: 12 } };
  // The documented handler signs the compact re-serialisation, whatever bytes went on the wire.
  const documented = (wire: string) =>
    `sha256=${createHmac('sha256', secret)
      .update(JSON.stringify(JSON.parse(wire)))
      .digest('hex')}`;
  const verifyWire = (wire: string, signature: string, provider = 'trackscore') =>
    verifyWebhook(
      { headers: { 'x-trackscore-signature': signature, 'x-trakkr-signature': signature }, rawBody: wire },
      { provider, secrets: [secret] },
    );

  test('a pretty-printed body signed the documented way verifies', () => {
    const wire = JSON.stringify(payload, null, 2);
    expect(verifyWire(wire, documented(wire))).toMatchObject({ id: 'wh_2', data: { name: 'Zoé Café' } });
  });

  test('a body with \\u00e9 escapes signed the documented way verifies', () => {
    const wire = JSON.stringify(payload).replace(/é/g, '\\u00e9');
    expect(wire).toContain('\\u00e9');
    expect(verifyWire(wire, documented(wire)).data).toMatchObject({ name: 'Zoé Café' });
  });

  test('raw-byte signatures still verify, and a forged or mismatched re-serialisation does not', () => {
    const wire = JSON.stringify(payload, null, 2);
    const raw = `sha256=${createHmac('sha256', secret).update(wire).digest('hex')}`;
    expect(verifyWire(wire, raw).id).toBe('wh_2');
    const tampered = wire.replace('12', '13');
    expect(() => verifyWire(tampered, documented(wire))).toThrow(WebhookVerificationError);
    expect(() => verifyWire(wire, `sha256=${createHmac('sha256', 'other').update(JSON.stringify(payload)).digest('hex')}`)).toThrow(
      'does not match',
    );
  });

  test('only TrackScore gets the fallback: Trakkr signs raw bytes', () => {
    const wire = JSON.stringify({ event: { type: 'visibility_changed', data: {} }, meta: { event_id: 'e1' } }, null, 2);
    expect(() => verifyWire(wire, documented(wire), 'trakkr')).toThrow('does not match');
  });
});

describe("the providers' documented sample code signs requests we verify", () => {
  const body = { id: 'wh_1', type: 'score.updated', created: '2025-06-09T10:30:00Z', data: { new_score: 950 } };

  test("TrackScore: the Express sample of TrackScore's webhook docs (sha256= + hex over JSON.stringify(req.body))", () => {
    const secret = 'ts_secret';
    const payload = JSON.stringify(body);
    const expectedSignature = createHmac('sha256', secret).update(payload).digest('hex');
    const event = verifyWebhook(
      { headers: { 'X-TrackScore-Signature': `sha256=${expectedSignature}` }, rawBody: payload },
      { provider: 'trackscore', secrets: [secret] },
    );
    expect(event).toMatchObject({ id: 'wh_1', type: 'score.updated', provider: 'trackscore' });
  });

  test("Trakkr: the Python verify_signature of Trakkr's webhook docs accepts our signature, and we accept Python's", () => {
    const secret = 'whsec_trakkr_secret';
    const payload = Buffer.from(JSON.stringify(getProvider('trakkr').samplePayload('citation_gained')));
    const ours = getProvider('trakkr').scheme.sign(payload, { secret })['x-trakkr-signature']!;
    // The documented function, verbatim, plus a line that prints its verdict and its own signature.
    const python = `
import hmac, hashlib, sys
def verify_signature(payload: bytes, signature: str, secret: str) -> bool:
    expected = hmac.new(
        secret.encode(),
        payload,
        hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", signature)
payload = sys.stdin.buffer.read()
print(verify_signature(payload, sys.argv[1], sys.argv[2]))
print("sha256=" + hmac.new(sys.argv[2].encode(), payload, hashlib.sha256).hexdigest())
`;
    const [verdict, theirs] = execFileSync('python3', ['-c', python, ours, secret], { input: payload }).toString().trim().split('\n');
    expect(verdict).toBe('True');
    const event = verifyWebhook(
      { headers: { 'X-Trakkr-Signature': theirs! }, rawBody: payload },
      { provider: 'trakkr', secrets: [secret] },
    );
    expect(event.type).toBe('citation_gained');
  });

  test("Trophy: the NextJS sample of Trophy's webhook docs (base64 over request.text())", async () => {
    const secret = 'trophy_secret';
    const request = new Request('http://127.0.0.1/webhook', {
      method: 'POST',
      body: JSON.stringify(getProvider('trophy').samplePayload('points.changed')),
    });
    const text = await request.clone().text();
    const hash = createHmac('sha256', secret).update(text).digest('base64');
    const event = verifyWebhook({ headers: { 'X-Trophy-Signature': hash }, rawBody: text }, { provider: 'trophy', secrets: [secret] });
    expect(event.type).toBe('points.changed');
    expect(event.id).toMatch(/^sha256_[0-9a-f]{40}$/);
  });

  test.each(['hex', 'base64'] as const)(
    `Trackpilots: HMAC_SHA256(timestamp + "." + body) of Trackpilots' webhook docs, %s digest`,
    (encoding) => {
      const secret = 'tp_secret';
      const timestamp = String(NOW);
      const rawBody = JSON.stringify(getProvider('trackpilots').samplePayload('desktop.app_tracking.captured'));
      const signature = createHmac('sha256', secret)
        .update(timestamp + '.' + rawBody)
        .digest(encoding);
      const event = verifyWebhook(
        { headers: { 'x-webhook-signature': signature, 'x-webhook-timestamp': timestamp }, rawBody },
        { provider: 'trackpilots', secrets: [secret], now: NOW },
      );
      expect(event.type).toBe('desktop.app_tracking.captured');
    },
  );

  test('Standard Webhooks: the reference standardwebhooks library signs what we verify, and verifies what we sign', () => {
    const secret = generateStandardSecret();
    const rawBody = JSON.stringify({ type: 'invoice.paid', timestamp: '2025-06-09T10:30:00Z', data: { amount: 10 } });
    const wh = new Webhook(secret);
    const date = new Date(NOW * 1000);
    const signature = wh.sign('msg_1', date, rawBody);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW), 'webhook-signature': signature };
    const event = verifyWebhook({ headers, rawBody }, { provider: 'standard', secrets: [secret], now: NOW });
    expect(event).toMatchObject({ id: 'msg_1', type: 'invoice.paid', data: { amount: 10 } });

    const ours = standardWebhooksScheme().sign(Buffer.from(rawBody), { secret, id: 'msg_2', timestamp: Math.floor(Date.now() / 1000) });
    expect(() => wh.verify(rawBody, ours)).not.toThrow();
  });
});

const schemes: [string, SignatureScheme, string][] = [
  ['hmac-sha256-hex', hexPrefixedScheme({ signature: 'x-sig' }), 'secret-a'],
  ['hmac-sha256-base64', base64Scheme({ signature: 'x-sig' }), 'secret-a'],
  ['timestamped', timestampedScheme({ signature: 'x-sig', timestamp: 'x-ts' }), 'secret-a'],
  ['standard-webhooks', standardWebhooksScheme(), generateStandardSecret()],
];
const otherSecret = (s: string) => (s.startsWith('whsec_') ? generateStandardSecret() : 'secret-b');

describe.each(schemes)('%s', (_name, scheme, secret) => {
  const body = Buffer.from('{"type":"x","n":1}');
  const signed = () => scheme.sign(body, { secret, timestamp: NOW, id: 'msg_1' });

  test('verifies its own signature; header names are case-insensitive', () => {
    const upper = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(() => scheme.verify(body, headerLookup(upper), opts([secret]))).not.toThrow();
  });

  test('rotation: either of two active secrets verifies', () => {
    const other = otherSecret(secret);
    expect(() => scheme.verify(body, headerLookup(signed()), opts([other, secret]))).not.toThrow();
    expect(() => scheme.verify(body, headerLookup(signed()), opts([secret, other]))).not.toThrow();
    expect(codeOf(() => scheme.verify(body, headerLookup(signed()), opts([other])))).toBe('signature_mismatch');
  });

  test('one flipped bit in the body fails', () => {
    const flipped = Buffer.from(body);
    flipped[3] = flipped[3]! ^ 1;
    expect(codeOf(() => scheme.verify(flipped, headerLookup(signed()), opts([secret])))).toBe('signature_mismatch');
  });

  test('one changed character in the signature fails', () => {
    const headers = signed();
    const name = scheme.headers.signature;
    const value = headers[name]!;
    const i = value.length - 5;
    headers[name] = value.slice(0, i) + (value[i] === 'a' ? 'b' : 'a') + value.slice(i + 1);
    expect(codeOf(() => scheme.verify(body, headerLookup(headers), opts([secret])))).toBe('signature_mismatch');
  });

  test('missing signature header', () => {
    const headers = signed();
    delete headers[scheme.headers.signature];
    expect(codeOf(() => scheme.verify(body, headerLookup(headers), opts([secret])))).toBe('missing_signature');
  });

  test('signature of the wrong length is malformed, not a crash', () => {
    const headers = signed();
    headers[scheme.headers.signature] =
      scheme.name === 'standard-webhooks' ? 'v1,AAAA' : scheme.name === 'hmac-sha256-hex' ? 'sha256=abcd' : 'abcd';
    expect(codeOf(() => scheme.verify(body, headerLookup(headers), opts([secret])))).toBe('malformed_signature');
  });

  test('no secret configured is a typed error', () => {
    expect(codeOf(() => scheme.verify(body, headerLookup(signed()), opts([])))).toBe('missing_secret');
  });

  if (scheme.signsTimestamp) {
    test('a changed timestamp fails', () => {
      const headers = signed();
      headers[scheme.headers.timestamp!] = String(NOW + 1);
      expect(codeOf(() => scheme.verify(body, headerLookup(headers), opts([secret])))).toBe('signature_mismatch');
    });

    test('stale and future timestamps fail; edges of the window pass', () => {
      const h = headerLookup(signed());
      expect(codeOf(() => scheme.verify(body, h, opts([secret], NOW + 301)))).toBe('timestamp_out_of_tolerance');
      expect(codeOf(() => scheme.verify(body, h, opts([secret], NOW - 301)))).toBe('timestamp_out_of_tolerance');
      expect(scheme.verify(body, h, opts([secret], NOW + 300)).timestamp).toBe(NOW);
      expect(scheme.verify(body, h, opts([secret], NOW - 300)).timestamp).toBe(NOW);
    });

    test('missing and malformed timestamps', () => {
      const headers = signed();
      headers[scheme.headers.timestamp!] = 'yesterday';
      expect(codeOf(() => scheme.verify(body, headerLookup(headers), opts([secret])))).toBe('malformed_timestamp');
      delete headers[scheme.headers.timestamp!];
      expect(codeOf(() => scheme.verify(body, headerLookup(headers), opts([secret])))).toBe('missing_timestamp');
    });
  }

  test('errors never contain the secret or the expected signature', () => {
    const headers = signed();
    const expected = headers[scheme.headers.signature]!;
    const flipped = Buffer.from(body);
    flipped[0] = 0x20;
    try {
      scheme.verify(flipped, headerLookup(headers), opts([secret]));
      throw new Error('should have failed');
    } catch (error) {
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      expect(text).not.toContain(secret);
      expect(text).not.toContain(expected.replace(/^(sha256=|v1,)/, ''));
      const good = scheme.sign(flipped, { secret, timestamp: NOW, id: 'msg_1' })[scheme.headers.signature]!;
      expect(text).not.toContain(good.replace(/^(sha256=|v1,)/, ''));
    }
  });

  test('property: any body and secret round-trips, and any single-byte mutation fails', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, rawSecret, position, delta) => {
          const key = scheme.name === 'standard-webhooks' ? 'whsec_' + Buffer.from(rawSecret).toString('base64') : rawSecret;
          const b = Buffer.from(bytes);
          const headers = headerLookup(scheme.sign(b, { secret: key, timestamp: NOW, id: 'msg_p' }));
          scheme.verify(b, headers, opts([key]));
          const mutated = Buffer.from(b);
          const i = position % mutated.length;
          mutated[i] = (mutated[i]! + delta) % 256;
          expect(codeOf(() => scheme.verify(mutated, headers, opts([key])))).toBe('signature_mismatch');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('scheme-specific parsing', () => {
  test('hex: an unknown algorithm prefix is unsupported, a missing prefix malformed', () => {
    const scheme = hexPrefixedScheme({ signature: 'x-sig' });
    const body = Buffer.from('{}');
    const hex = createHmac('sha256', 's').update(body).digest('hex');
    expect(codeOf(() => scheme.verify(body, headerLookup({ 'x-sig': `sha1=${hex}` }), opts(['s'])))).toBe('unsupported_signature_version');
    expect(codeOf(() => scheme.verify(body, headerLookup({ 'x-sig': hex }), opts(['s'])))).toBe('malformed_signature');
    expect(codeOf(() => scheme.verify(body, headerLookup({ 'x-sig': `sha256=${'z'.repeat(64)}` }), opts(['s'])))).toBe(
      'malformed_signature',
    );
  });

  test('hex: several signatures in one header (sender-side rotation) verify when one matches', () => {
    const scheme = hexPrefixedScheme({ signature: 'x-sig' });
    const body = Buffer.from('{}');
    const good = scheme.sign(body, { secret: 's' })['x-sig'];
    const bad = scheme.sign(body, { secret: 'old' })['x-sig'];
    expect(() => scheme.verify(body, headerLookup({ 'x-sig': `${bad}, ${good}` }), opts(['s']))).not.toThrow();
  });

  test('standard webhooks: only unknown versions is unsupported; v1a entries are skipped', () => {
    const scheme = standardWebhooksScheme();
    const secret = generateStandardSecret();
    const body = Buffer.from('{}');
    const headers = scheme.sign(body, { secret, timestamp: NOW, id: 'm' });
    expect(codeOf(() => scheme.verify(body, headerLookup({ ...headers, 'webhook-signature': 'v2,abc' }), opts([secret])))).toBe(
      'unsupported_signature_version',
    );
    expect(() =>
      scheme.verify(body, headerLookup({ ...headers, 'webhook-signature': `v1a,xyz ${headers['webhook-signature']}` }), opts([secret])),
    ).not.toThrow();
  });

  test('Zapier-renamed headers (Http-X-Trakkr-Signature) are found', () => {
    const scheme = hexPrefixedScheme({ signature: 'x-trakkr-signature' });
    const body = Buffer.from('{}');
    const value = scheme.sign(body, { secret: 's' })['x-trakkr-signature']!;
    expect(() => scheme.verify(body, headerLookup({ 'Http-X-Trakkr-Signature': value }), opts(['s']))).not.toThrow();
  });

  test('digest spellings senders use: upper-case hex, base64 without padding, base64url', () => {
    const body = Buffer.from('{"a":1}');
    const digest = createHmac('sha256', 's').update(body).digest();
    const hex = hexPrefixedScheme({ signature: 'x-sig' });
    expect(() => hex.verify(body, headerLookup({ 'x-sig': `sha256=${digest.toString('hex').toUpperCase()}` }), opts(['s']))).not.toThrow();
    const b64 = base64Scheme({ signature: 'x-sig' });
    for (const spelling of [digest.toString('base64'), digest.toString('base64').replace(/=$/, ''), digest.toString('base64url')]) {
      expect(() => b64.verify(body, headerLookup({ 'x-sig': spelling }), opts(['s']))).not.toThrow();
    }
    // The same spellings of another digest still fail.
    const other = createHmac('sha256', 'other').update(body).digest();
    expect(codeOf(() => b64.verify(body, headerLookup({ 'x-sig': other.toString('base64url') }), opts(['s'])))).toBe('signature_mismatch');
    expect(codeOf(() => hex.verify(body, headerLookup({ 'x-sig': `sha256=${other.toString('hex').toUpperCase()}` }), opts(['s'])))).toBe(
      'signature_mismatch',
    );
  });

  test('property: constantTimeEqual agrees with === on any two strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a)).toBe(true);
      }),
    );
    expect(constantTimeEqual('a'.repeat(64), 'a'.repeat(63) + 'b')).toBe(false);
  });

  test('a 13-digit millisecond timestamp is read as milliseconds', () => {
    const scheme = timestampedScheme({ signature: 'x-sig', timestamp: 'x-ts' });
    const body = Buffer.from('{}');
    const ms = String(NOW * 1000);
    const sig = createHmac('sha256', 's').update(`${ms}.{}`).digest('hex');
    expect(scheme.verify(body, headerLookup({ 'x-sig': sig, 'x-ts': ms }), opts(['s'])).timestamp).toBe(NOW);
  });
});
