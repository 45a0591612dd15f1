const autocannon = require('autocannon');
const core = require('@hookbridge/core');
const profile = core.getProvider('trackscore');
let counter = 0;
const pool = Array.from({ length: 100000 }, () => {
  const payload = profile.samplePayload('score.updated', { id: `evt_${process.pid}_${++counter}` });
  payload.data.note = 'x'.repeat(1024 - JSON.stringify(payload).length - 12);
  const body = Buffer.from(JSON.stringify(payload));
  return { body, headers: { 'content-type': 'application/json', ...profile.scheme.sign(body, { secret: 'bench-secret' }) } };
});
let i = 0;
autocannon({ url: process.argv[2], connections: 50, duration: Number(process.argv[3] || 10), requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...pool[i++ % pool.length] }) }] },
  (err, r) => console.log(err || `${Math.round(r.requests.average)} req/s p50 ${r.latency.p50} p99 ${r.latency.p99} 2xx ${r['2xx']} non2xx ${r.non2xx}`));
