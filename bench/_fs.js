const Database = require('better-sqlite3');
const fs = require('fs');
for (const sync of ['FULL', 'NORMAL']) {
  fs.rmSync('/tmp/prof/t.db', { force: true }); fs.rmSync('/tmp/prof/t.db-wal', { force: true });
  const db = new Database('/tmp/prof/t.db'); db.pragma('journal_mode = WAL'); db.pragma('synchronous = ' + sync);
  db.exec('create table t (id integer primary key, b blob)');
  const ins = db.prepare('insert into t (b) values (?)'); const body = Buffer.alloc(1500);
  const tx = db.transaction((n) => { for (let i = 0; i < n; i++) ins.run(body); });
  for (const n of [1, 50]) { const t0 = process.hrtime.bigint(); for (let k = 0; k < 200; k++) tx(n); console.log(sync, n, Number(process.hrtime.bigint() - t0) / 200 / 1000, 'µs/commit'); }
  db.close();
}
