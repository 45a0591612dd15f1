// Tiny benchmark harness: runs each case for a fixed time after a warm-up, reports ops/s.
const { performance } = require('node:perf_hooks');

function measure(fn, { warmupMs = 200, durationMs = 1000 } = {}) {
  const until = (ms) => {
    const end = performance.now() + ms;
    let ops = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 50; i++) fn();
      ops += 50;
    }
    return ops;
  };
  until(warmupMs);
  const start = performance.now();
  const ops = until(durationMs);
  return ops / ((performance.now() - start) / 1000);
}

/** Runs cases in interleaved rounds (so drift hits all alike) and keeps each one's best round. */
function compare(cases, { rounds = 5, ...opts } = {}) {
  const best = Object.fromEntries(Object.keys(cases).map((k) => [k, 0]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) best[name] = Math.max(best[name], measure(fn, opts));
  }
  return best;
}

function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padEnd(width[i])).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n');
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
module.exports = { measure, compare, table, fmt };
