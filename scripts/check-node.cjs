'use strict';
/**
 * Runs before `npm run dev`, `npm start`, `npm test` and `npm run test:unit`: on a Node older than
 * package.json's engines.node, one line saying what was found, what is needed
 * and how to get it, and exit code 1; silence otherwise. Plain CommonJS with
 * no recent syntax, so that an old Node can run it.
 */
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const range = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
const match = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(range);
if (!match) {
  console.error(`check-node: engines.node in package.json must read ">=MAJOR.MINOR.PATCH", not "${range}"`);
  process.exit(1);
}
const needed = match.slice(1).map(Number);
const found = process.versions.node.split('.').map(Number);

function older(a, b) {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return false;
}

if (older(found, needed)) {
  const tools = `.tools/node${needed[0]}`;
  console.error(
    `Node ${process.version} (${process.execPath}) is too old: this project needs Node ${needed.join('.')} or newer. ` +
      `Get it with \`nvm install\` (reads .nvmrc), or \`npm i --prefix ${tools} node@${needed[0]}\` ` +
      `and put ${tools}/node_modules/.bin first on PATH.`,
  );
  process.exit(1);
}
