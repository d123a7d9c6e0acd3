#!/usr/bin/env node
// The package's command: runs the TypeScript sources through tsx, so `npx hs-classify` works right
// after `npm ci` with no build step.
require('tsx/cjs');
require('../server/cli/main.ts')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
