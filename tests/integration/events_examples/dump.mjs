// Reads chosen branches of a ROOT tree with jsroot (JavaScript ROOT I/O, npm package `jsroot`: an
// independent reader, no hepkit code) and writes them as JSON, for the Python checks of the
// `hepkit events` examples (check_examples.py) to apply the selections to.
//
//   node dump.mjs JSROOT_DIR FILE.root TREE OUT.json BRANCH [BRANCH...]
//
// JSROOT_DIR is the folder where `npm install jsroot` ran (it holds node_modules/jsroot; the
// test scripts install it into build/jsroot). OUT.json: {"entries": N, "branches": {NAME:
// [value per entry]}} with an array per entry for array branches; booleans as 0/1. JSON numbers
// are JavaScript's shortest round-trip form, so float32 values reach Python exactly.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, file, treeName, out, ...names] = process.argv.slice(2);
if (!dir || !file || !treeName || !out || names.length === 0) {
   console.error('usage: node dump.mjs JSROOT_DIR FILE.root TREE OUT.json BRANCH [BRANCH...]');
   process.exit(2);
}
const jsroot = await import(pathToFileURL(path.join(dir, 'node_modules', 'jsroot', 'modules', 'main.mjs')).href);

function plain(v) {
   if (typeof v === 'bigint') return Number(v);
   if (typeof v === 'boolean') return v ? 1 : 0;
   if (ArrayBuffer.isView(v) || Array.isArray(v)) return Array.from(v, plain);
   return v;
}

const f = await jsroot.openFile(file);
const tree = await f.readObject(treeName);
const known = new Set(tree.fBranches.arr.map(b => b.fName));
for (const n of names) {
   if (!known.has(n)) {
      console.error(`dump.mjs: ${file}: tree '${treeName}' has no branch '${n}'`);
      process.exit(1);
   }
}
const values = Object.fromEntries(names.map(n => [n, []]));
const selector = new jsroot.TSelector();
for (const n of names) selector.addBranch(n);
selector.Process = function() {
   for (const n of names) values[n].push(plain(this.tgtobj[n]));
};
if (tree.fEntries > 0) await jsroot.treeProcess(tree, selector);
for (const n of names) {
   if (values[n].length !== Number(tree.fEntries)) {
      console.error(`dump.mjs: ${file}: branch '${n}': ${values[n].length} values for ${tree.fEntries} entries`);
      process.exit(1);
   }
}
fs.writeFileSync(out, JSON.stringify({ entries: Number(tree.fEntries), branches: values }));
