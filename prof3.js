const { PostgresServer } = require('/work/main/test/support/postgres');
const { presigned, load } = require('/work/main/bench/relay');
const { spawn } = require('child_process'); const fs = require('fs');
(async () => {
  const pg = await PostgresServer.start({ fsync: true });
  const url = process.env.SQLITE ? null : await pg.createDatabase('p');
  fs.writeFileSync('/tmp/p.yaml', `server: { port: 0, allowInsecureDestinations: true }\nstorage: ${url ? `{ url: '${url}' }` : '{ path: /tmp/p-' + Date.now() + '.db }'}\nsources: [{ id: ts, provider: trackscore, secrets: [bench-secret] }]\nroutes: []\n`);
  fs.rmSync('/tmp/cpuprof', { recursive: true, force: true });
  const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/cpuprof', 'packages/relay/bin/hookbridge.js', 'serve', '--config', '/tmp/p.yaml'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HOOKBRIDGE_LOG_LEVEL: 'warn' } });
  let out = ''; const u = await new Promise((r) => child.stdout.on('data', (d) => { out += d; const m = /relay on (http\S+)/.exec(out); if (m) r(m[1]); }));
  const pool = presigned(80000);
  await load(u, { duration: 2, connections: 50, pool });
  const r = await load(u, { duration: 6, connections: 50, pool });
  console.log('req/s', r.requests.average);
  child.kill('SIGINT'); await new Promise((r) => child.once('exit', r));
  await pg.destroy();
})();
