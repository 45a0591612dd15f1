// Runs every benchmark in this folder: `npm run bench` (or `node bench/run.js verify`).
const only = process.argv.slice(2);
for (const name of ['verify', 'format', 'relay']) {
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
