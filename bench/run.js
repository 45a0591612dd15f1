// Runs the benchmarks: `npm run bench` (or `node bench/run.js verify`). The 1M-event memory
// soak takes about ten minutes and runs only when named: `node bench/run.js soak`.
const only = process.argv.slice(2);
for (const name of ['verify', 'format', 'relay', 'soak', 'pg-clients']) {
  if ((name === 'soak' || name === 'pg-clients') && !only.includes(name)) continue;
  if (only.length && !only.includes(name)) continue;
  let mod;
  try {
    mod = require(`./${name}`);
  } catch (error) {
    if (error.code === 'MODULE_NOT_FOUND' && error.message.includes(`./${name}`)) continue;
    throw error;
  }
  Promise.resolve(mod.run()).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
