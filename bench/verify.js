// bench/verify: signature verification ops/s against the raw node:crypto limit and standardwebhooks.
const { createHmac, timingSafeEqual } = require('node:crypto');
const { Webhook } = require('standardwebhooks');
const core = require('@hookbridge/core');
const { compare, table, fmt } = require('./harness');

function body(size) {
  const filler = 'x'.repeat(Math.max(0, size - 40));
  return Buffer.from(JSON.stringify({ type: 'score.updated', id: 'wh_1', pad: filler }).slice(0, size - 2) + '"}');
}

function run({ durationMs = 150, log = console.log } = {}) {
  const rows = [];
  const now = Math.floor(Date.now() / 1000);
  const opts = { secrets: ['bench-secret'], toleranceSeconds: 300, now };
  for (const size of [1024, 16 * 1024, 256 * 1024]) {
    const raw = body(size);
    const hex = core.getProvider('trakkr').scheme;
    const hexHeaders = {
      'content-type': 'application/json',
      'x-trakkr-signature': hex.sign(raw, { secret: 'bench-secret' })['x-trakkr-signature'],
    };
    const expected = createHmac('sha256', 'bench-secret').update(raw).digest();
    const b64 = core.getProvider('trophy').scheme;
    const b64Headers = { 'content-type': 'application/json', ...b64.sign(raw, { secret: 'bench-secret' }) };
    const ts = core.getProvider('trackpilots').scheme;
    const tsHeaders = { 'content-type': 'application/json', ...ts.sign(raw, { secret: 'bench-secret', timestamp: now }) };
    const whsec = core.generateStandardSecret();
    const std = core.standardWebhooksScheme();
    const stdHeaders = std.sign(raw, { secret: whsec, timestamp: now, id: 'msg_1' });
    const wh = new Webhook(whsec);
    const rawString = raw.toString();
    const stdOpts = { secrets: [whsec], toleranceSeconds: 300, now };

    const r = compare(
      {
        'raw createHmac+timingSafeEqual': () => {
          if (!timingSafeEqual(createHmac('sha256', 'bench-secret').update(raw).digest(), expected)) throw new Error('mismatch');
        },
        'hookbridge hmac-sha256-hex': () => hex.verify(raw, core.headerLookup(hexHeaders), opts),
        'hookbridge hmac-sha256-base64': () => b64.verify(raw, core.headerLookup(b64Headers), opts),
        'hookbridge timestamped': () => ts.verify(raw, core.headerLookup(tsHeaders), opts),
        'hookbridge standard-webhooks': () => std.verify(raw, core.headerLookup(stdHeaders), stdOpts),
        'standardwebhooks npm (verify+JSON.parse)': () => wh.verify(rawString, stdHeaders),
        'hookbridge verifyWebhook (std, +JSON.parse)': () =>
          core.verifyWebhook({ headers: stdHeaders, rawBody: raw }, { provider: 'standard', secrets: [whsec], now }),
      },
      { durationMs },
    );
    for (const [name, { ops, ratio }] of Object.entries(r)) {
      rows.push({ size: `${size / 1024} KiB`, case: name, 'ops/s': fmt(ops), 'x raw': ratio.toFixed(2) });
    }
  }
  log('bench/verify — target: hookbridge schemes ≥ 0.90x raw at every size');
  log(table(rows));
  return rows;
}

if (require.main === module) run();
module.exports = { run };
