// Reference statistics of every top-level field of an RNTuple, computed with jsroot (an
// independent reader: its own envelope, page-list and column decoding), in the schema of
// ../shared/reference/root-files/expected/*.tree-stats.json with "ntuple" instead of "tree".
//
//   npm install --omit=optional --ignore-scripts jsroot      (in some directory D)
//   JSROOT=D/node_modules/jsroot node make-ntuple-stats.mjs FILE NTUPLE > FILE.ntuple-stats.json
//
// jsroot's RNTuple reader resolves a field by name and reads the columns attached to it. It does
// not attach alias columns to projected fields (the NanoAOD importer's `Muon_pt` is a projection
// of `_collection0._0.Muon_pt`), and it reads only std:: collections. So before reading, this
// script (1) renames subfields so that a name finds the top-level field, (2) attaches to each
// projected field a copy of its physical column descriptor (pages are still located and decoded
// by jsroot), (3) spells ROOT::VecOps::RVec<T> as std::vector<T> (same on-disk layout). A
// ROOT::RNTupleCardinality field is read as its index column (cluster-relative end offsets) and
// turned into collection sizes here. Statistics: n values (all elements of a collection), sum,
// min and max, booleans as 0/1; untyped collections and records (no single column) are listed
// under "unreadable".
import path from 'node:path';

const jsrootDir = process.env.JSROOT;
if (!jsrootDir) {
    console.error('set JSROOT to the directory of the jsroot npm package');
    process.exit(2);
}
const { openFile, TSelector, version } = await import(path.join(jsrootDir, 'modules/main.mjs'));
const { readHeaderFooter, rntupleProcess } = await import(path.join(jsrootDir, 'modules/rntuple.mjs'));

const [file, ntupleName] = process.argv.slice(2);
const f = await openFile(file);
const rn = await f.readObject(ntupleName);
const b = await readHeaderFooter(rn);
if (!b)
    throw new Error('jsroot could not read the header/footer');

const fields = b.fieldDescriptors;
const isTop = (fd, i) => fd.parentFieldId === i;
// (1) subfields get names no top-level field has
fields.forEach((fd, i) => { if (!isTop(fd, i)) fd.fieldName = `\u0001sub${i}.${fd.fieldName}`; });
// (2) projected fields read their physical columns
for (const alias of b.aliasColumns || []) {
    const phys = b.columnDescriptors.find(c => c.index === alias.physicalColumnId);
    b.columnDescriptors.push({ ...phys, fieldId: alias.fieldId });
}
// (3) RVec is a std::vector on disk
fields.forEach(fd => { fd.typeName = fd.typeName.replace(/^ROOT::VecOps::RVec</, 'std::vector<').replace(/^ROOT::RVec</, 'std::vector<'); });

const basic = new Set(['bool', 'char', 'std::int8_t', 'std::uint8_t', 'std::int16_t', 'std::uint16_t', 'std::int32_t',
    'std::uint32_t', 'std::int64_t', 'std::uint64_t', 'float', 'double']);
const top = [], unreadable = [];
fields.forEach((fd, i) => {
    if (!isTop(fd, i))
        return;
    const t = fd.typeName;
    const inner = t.match(/^std::vector<(.*)>$/);
    if (basic.has(t) || (inner && basic.has(inner[1])) || t.startsWith('ROOT::RNTupleCardinality<'))
        top.push({ fd, cardinality: t.startsWith('ROOT::RNTupleCardinality<') });
    else
        unreadable.push(fd.fieldName);
});

const entries = b.clusterSummaries.reduce((s, c) => s + Number(c.numEntries), 0);
// first entry of each cluster: a cardinality restarts from 0 there
const clusterStarts = new Set();
{
    let e = 0;
    for (const c of b.clusterSummaries) { clusterStarts.add(e); e += Number(c.numEntries); }
}

const stats = top.map(() => ({ n: 0, sum: 0, min: Infinity, max: -Infinity, nan: false, bigsum: 0n, integral: true }));
function add(s, v) {
    if (typeof v === 'boolean')
        v = v ? 1 : 0;
    if (typeof v === 'bigint')
        v = Number(v);
    s.n++;
    if (Number.isNaN(v)) { s.nan = true; return; }
    s.sum += v;
    if (Number.isInteger(v)) s.bigsum += BigInt(v); else s.integral = false;
    if (v < s.min) s.min = v;
    if (v > s.max) s.max = v;
}

const sel = new TSelector();
top.forEach((t, k) => sel.addBranch(t.fd.fieldName, `f${k}`));
const prevIndex = top.map(() => 0);
sel.Process = function(entry) {
    top.forEach((t, k) => {
        const v = this.tgtobj[`f${k}`];
        if (t.cardinality) {
            if (clusterStarts.has(entry)) prevIndex[k] = 0;
            add(stats[k], v - prevIndex[k]);
            prevIndex[k] = v;
        } else if (Array.isArray(v) || ArrayBuffer.isView(v))
            for (const x of v) add(stats[k], x);
        else
            add(stats[k], v);
    });
};
await rntupleProcess(rn, sel);

const out = { file: path.basename(file), ntuple: ntupleName, entries, branches: {}, unreadable,
    jsroot: version };
top.forEach((t, k) => {
    const s = stats[k];
    const exactSum = s.integral && !s.nan && s.n > 0;
    out.branches[t.fd.fieldName] = s.n === 0 ? { n: 0, sum: 0, min: null, max: null }
        : s.nan ? { n: s.n, sum: null, min: null, max: null }
        : { n: s.n, sum: exactSum ? Number(s.bigsum) : s.sum, min: s.min, max: s.max };
});
process.stdout.write(JSON.stringify(out) + '\n');
