#!/usr/bin/env node
// Committed launcher, so npm can link the `hookbridge` bin before the TypeScript is built.
require('../dist/cli/main.js').main(process.argv);
