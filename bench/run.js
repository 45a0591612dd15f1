// Runs the benchmarks: `npm run bench` (or `node bench/run.js verify`), one after another so none
// measures while another loads the machine. The 1M-event memory soak takes about ten minutes and
// runs only when named: `node bench/run.js soak`; so does `pg-clients`.
const only = process.argv.slice(2);

async function main() {
  for (const name of ['verify', 'format', 'relay', 'soak', 'pg-clients']) {
    if ((name === 'soak' || name === 'pg-clients') && !only.includes(name)) continue;
    if (only.length && !only.includes(name)) continue;
    await require(`./${name}`).run();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
