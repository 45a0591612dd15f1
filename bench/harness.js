// Tiny benchmark harness: ops/s per case, and each case's ratio to a baseline measured in the same rounds.
const { performance } = require('node:perf_hooks');
const { readFileSync, readdirSync } = require('node:fs');
const { execFileSync } = require('node:child_process');

function until(fn, ms) {
  const end = performance.now() + ms;
  let ops = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) fn();
    ops += 50;
  }
  return ops;
}

function measure(fn, { warmupMs = 200, durationMs = 1000 } = {}) {
  if (warmupMs > 0) until(fn, warmupMs);
  const start = performance.now();
  const ops = until(fn, durationMs);
  return ops / ((performance.now() - start) / 1000);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function shuffle(xs) {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * Runs the cases in many short rounds, in a fresh random order each round, so that CPU-frequency
 * and neighbour noise hits all alike. Reports each case's median ops/s and the median of its
 * per-round ratio to `baseline` (the ratio of two measurements taken moments apart is far steadier
 * on a shared machine than the ratio of two best-ever figures).
 */
function compare(cases, { baseline = Object.keys(cases)[0], rounds = 15, durationMs = 150, warmupMs = 300 } = {}) {
  const names = Object.keys(cases);
  for (const name of names) until(cases[name], warmupMs);
  const ops = Object.fromEntries(names.map((n) => [n, []]));
  const ratios = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const round = {};
    for (const name of shuffle([...names])) round[name] = measure(cases[name], { warmupMs: 0, durationMs });
    for (const name of names) {
      ops[name].push(round[name]);
      ratios[name].push(round[name] / round[baseline]);
    }
  }
  return Object.fromEntries(names.map((n) => [n, { ops: median(ops[n]), ratio: median(ratios[n]) }]));
}

function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padEnd(width[i])).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n');
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

let ticksPerSecond;
/** CPU time (ms, user + system, every thread) the processes `pids` have used so far, from /proc; undefined off Linux. */
function cpuMs(pids) {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;
    let total = 0;
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
    }
    return total;
  } catch {
    return undefined;
  }
}

/** A process and its children (a PostgreSQL server's postmaster and backends), from /proc. */
function withChildren(pid) {
  const pids = [pid];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Runs `work` (a load phase answering `{ requests: { total } }`) and adds the CPU it cost per request, in µs: each
 * of `servers` (name → function giving their pids) and this process (the load generator).
 */
async function cpuPerRequest(servers, work) {
  const pidsOf = Object.fromEntries(Object.entries(servers).map(([name, pids]) => [name, pids()]));
  const before = Object.fromEntries(Object.entries(pidsOf).map(([name, pids]) => [name, cpuMs(pids)]));
  const self = process.cpuUsage();
  const result = await work();
  const n = result.requests.total || 1;
  const used = process.cpuUsage(self);
  const cpu = { 'load generator': (used.user + used.system) / n };
  for (const [name, pids] of Object.entries(pidsOf)) {
    const after = cpuMs(pids);
    if (after !== undefined && before[name] !== undefined) cpu[name] = ((after - before[name]) * 1000) / n;
  }
  return { result, cpu };
}

module.exports = { measure, compare, median, table, fmt, cpuMs, withChildren, cpuPerRequest };
