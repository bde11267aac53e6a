// Reads a ROOT file with jsroot (an independent reader: JavaScript, no hepkit code) and prints a
// JSON dump of what it finds, for tests that compare it with what hepkit wrote.
//
//   node read.mjs FILE.root [JSROOT_DIR]
//
// JSROOT_DIR (or the environment variable HEPKIT_JSROOT_DIR) is the folder where
// `npm install jsroot` ran (it holds node_modules/jsroot); without it node's own lookup is used.
// Output: {"keys": [{name, class, cycle}], "objects": {NAME: dump}} where a histogram's dump has
// class, title, axes (nbins, min, max, edges, title), entries, the statistics sums, contents and
// sumw2 (ROOT order, under/overflow included), and a tree's dump has entries and, per branch, the
// values of every entry (an array per entry for array branches) and n/sum/min/max of all values.
// 64-bit integers that jsroot returns as BigInt are printed as strings.

import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, dirArg] = process.argv.slice(2);
if (!file) {
   console.error('usage: node read.mjs FILE.root [JSROOT_DIR]');
   process.exit(2);
}
const dir = dirArg || process.env.HEPKIT_JSROOT_DIR;
const jsroot = dir
   ? await import(pathToFileURL(path.join(dir, 'node_modules', 'jsroot', 'modules', 'main.mjs')).href)
   : await import('jsroot');

function axis(a) {
   return {
      nbins: a.fNbins, min: a.fXmin, max: a.fXmax, title: a.fTitle,
      edges: a.fXbins && a.fXbins.length ? Array.from(a.fXbins) : []
   };
}

function hist(h) {
   const out = {
      class: h._typename, title: h.fTitle, entries: h.fEntries,
      tsumw: h.fTsumw, tsumw2: h.fTsumw2, tsumwx: h.fTsumwx, tsumwx2: h.fTsumwx2,
      xaxis: axis(h.fXaxis), yaxis: axis(h.fYaxis),
      contents: Array.from(h.fArray), sumw2: Array.from(h.fSumw2 || [])
   };
   if (h._typename.startsWith('TH2')) {
      out.tsumwy = h.fTsumwy; out.tsumwy2 = h.fTsumwy2; out.tsumwxy = h.fTsumwxy;
   }
   return out;
}

function plain(v) {
   if (typeof v === 'bigint') return v.toString();
   if (typeof v === 'boolean') return v ? 1 : 0;
   if (ArrayBuffer.isView(v) || Array.isArray(v)) return Array.from(v, plain);
   return v;
}

async function tree(t) {
   const names = t.fBranches.arr.map(b => b.fName);
   const values = Object.fromEntries(names.map(n => [n, []]));
   const selector = new jsroot.TSelector();
   for (const n of names) selector.addBranch(n);
   selector.Process = function() {
      for (const n of names) values[n].push(plain(this.tgtobj[n]));
   };
   if (t.fEntries > 0) await jsroot.treeProcess(t, selector);
   const branches = {};
   for (const b of t.fBranches.arr) {
      const leaf = b.fLeaves.arr[0];
      const flat = values[b.fName].flat();
      let sum = 0, min = null, max = null;
      for (const v of flat) {
         const x = Number(v);
         sum += x;
         if (min === null || x < min) min = x;
         if (max === null || x > max) max = x;
      }
      branches[b.fName] = {
         title: b.fTitle, leaf: leaf._typename, counter: leaf.fLeafCount ? leaf.fLeafCount.fName : null,
         baskets: b.fWriteBasket, values: values[b.fName], n: flat.length, sum, min, max
      };
   }
   return { class: 'TTree', entries: Number(t.fEntries), autoflush: Number(t.fAutoFlush), branches };
}

const f = await jsroot.openFile(file);
const out = { keys: [], objects: {} };
for (const k of f.fKeys) {
   out.keys.push({ name: k.fName, class: k.fClassName, cycle: k.fCycle });
   const obj = await f.readObject(`${k.fName};${k.fCycle}`);
   if (k.fClassName.startsWith('TH'))
      out.objects[k.fName] = hist(obj);
   else if (k.fClassName === 'TTree')
      out.objects[k.fName] = await tree(obj);
}
process.stdout.write(JSON.stringify(out) + '\n');
