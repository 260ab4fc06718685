/**
 * The build-context engine against a real Docker Engine, both builders: (a) `.dockerignore` decides exactly
 * which files `COPY . /ctx` puts in the image; (b) every COPY/ADD fixture's predicted bytes equal the size
 * `docker history` reports for that step. Contexts are generated in a temp folder (big and many files too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import type { ArchiveInfo, ContextEntry, ContextIndex } from '../../server/src/core/context';
import { includedPaths, parseIgnore } from '../../server/src/core/ignore';
import { ignoreFlavor, type EngineModel } from '../../server/src/core/engine';
import { inspectArchive, sniffArchive } from '../../server/src/context/archive';
import { contextFindings } from '../../server/src/context/findings';
import { readIgnoreFile, scanContext } from '../../server/src/context/scan';
import { execFileSync } from 'node:child_process';
import { BASE_IMAGE, buildImage, ensureBaseImage, historyKeyword, requireEngines, runProcess, type Builder, type TestEngine } from './docker';

const BUILDERS: Builder[] = ['buildkit', 'legacy'];

/** The engine under test as the analysis models it: its own version, as a daemon would report it. */
const modelOf = (engine: TestEngine): EngineModel => ({ version: engine.serverVersion, source: 'daemon' });
/** The `.dockerignore` rules as the engine under test reads them. */
const rulesOf = (engine: TestEngine, text: string) => parseIgnore(text, ignoreFlavor(modelOf(engine)));

/** Files of the ignore fixture, and `.dockerignore` rules covering `**`, exceptions and their order, `/`, `..`, comments. */
const IGNORE_FILES = [
  'a.log', 'keep.log', 'sub/b.log', 'sub/keep.log', 'build/out', 'sub/build/out', 'docs/x.md', 'docs/a/y.md',
  'docs/a/b/README.md', 'docs/README.md', 'tmp1/f', 'tmpdir/f', 'sub/cache/c', 'cache/c', 'secret/s.txt',
  'secret/public.txt', 'exc/keep', 'exc/other', 'deep/x/y/keep', 'deep/x/y/other', 'deep/x/z', 'b.txt', 'a.cfg',
  'c.cfg', 'f(1).txt', 'g+h.txt', 'x.txt', 'w/v/node/keep', 'w/v/node/other', 'w/v/node/sub/o', 'node/o',
  'empty-exc/other', 'Dockerfile.in', 'bad\\name.txt',
];
const IGNORE_RULES = [
  '# a comment', '*.log', '!keep.log', '/build', 'docs/**/*.md', '!docs/**/README.md', 'tmp?', '**/cache',
  'secret/', '!secret/public.txt', 'a/../b.txt', 'exc', '!**/exc/keep', 'deep/x', '!deep/x/y/keep', '[ab].cfg',
  'f(1).txt', 'g+h.txt', '  # not a comment once trimmed', '**/node', '!w/v/node/keep', 'empty-exc',
  '!empty-exc/nothing', '.dockerignore', 'Dockerfile', '',
];

test('conformance: .dockerignore decides exactly which files COPY . sends (both builders, every engine)', async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return t.skip(engines.skip);
  for (const engine of engines) await t.test(engine.label, () => checkIgnoreFixture(engine));
});

async function checkIgnoreFixture(engine: TestEngine): Promise<void> {
  await ensureBaseImage(engine);
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-ignore-'));
  try {
    for (const f of IGNORE_FILES) writeFile(dir, f, `${f}\n`);
    symlinkSync('x.txt', path.join(dir, 'link1'));
    // A FIFO the ignore file excludes (`tmp?`): the builders skip it, so no problem may be reported for it.
    execFileSync('mkfifo', [path.join(dir, 'tmp1', 'pipe')]);
    writeFile(dir, '.dockerignore', IGNORE_RULES.join('\n'));
    writeFile(dir, 'Dockerfile', `FROM ${BASE_IMAGE}\nCOPY . /ctx\n`);
    const index = indexContext(dir, 'Dockerfile', 'buildkit');
    for (const builder of BUILDERS) {
      const tag = `dl-test/context-ignore:${builder}`;
      await buildImage(engine, { context: dir, builder, tag });
      const observed = await listImage(engine, tag, 'ctx/');
      const walk = [...index.entries.values()].map((e) => ({ path: e.path, isDir: e.type === 'dir' }));
      const predicted = withParents(includedPaths(rulesOf(engine, index.ignoreFile!.text), walk, builder));
      assert.deepEqual(observed, predicted, `${engine.label} ${builder}: files in the image vs predicted`);
      // The fixture exercises where the engines differ: 20.10 checks one parent folder and leaves `(` and `+`
      // unescaped; 23+ checks every parent, escapes them, and BuildKit walks into folders for `!**/exc/keep`.
      const expectSent = ignoreFlavor(modelOf(engine)) === 'moby20'
        ? { 'w/v/node/other': true, 'f(1).txt': true, 'exc/keep': false }
        : { 'w/v/node/other': false, 'f(1).txt': false, 'exc/keep': builder === 'buildkit' };
      assert.deepEqual(Object.fromEntries(Object.keys(expectSent).map((p) => [p, observed.includes(p)])), expectSent, `${engine.label} ${builder}: the fixture exercises the engine's walk`);
      // The build above succeeded with the FIFO there; the scan notes it, the Dockerfile's findings leave it out.
      const scanned = await scanContext(dir, { limit: 10_000 });
      const context = { ...scanned, ignoreFile: readIgnoreFile(dir, path.join(dir, 'Dockerfile'), builder) };
      const analysis = contextFindings(analyzeDockerfile(`FROM ${BASE_IMAGE}\nCOPY . /ctx\n`, { builder, buildArgs: {}, engine: modelOf(engine) }, context), context);
      assert.ok(scanned.problems.some((p) => p.path === 'tmp1/pipe'), `${builder}: the scan notes the FIFO`);
      assert.deepEqual(analysis.findings.filter((f) => f.code === 'context-problems').map((f) => f.message), [], `${builder}: no problem reported for an excluded path`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Folders excluded whole, then a file and a folder inside them re-included by `!` exceptions. */
const REINCLUDE_FILES = ['docs/README.md', 'docs/other.md', 'docs/sub/s.md', 'build/keep/k.txt', 'build/keep/deeper/d.txt', 'build/other/x.txt', 'top.txt'];
const REINCLUDE_DOCKERFILE = [`FROM ${BASE_IMAGE}`, 'COPY . /ctx', 'COPY docs /d', 'COPY build /b', 'COPY build/keep /k', ''].join('\n');

test('conformance: files that `!` exceptions re-include from excluded folders are sent, and their folders copy (both builders, every engine)', async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return t.skip(engines.skip);
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-reinclude-'));
  try {
    for (const f of REINCLUDE_FILES) writeFile(dir, f, `${f} content\n`);
    writeFile(dir, '.dockerignore', 'docs/\n!docs/README.md\nbuild/\n!build/keep/\n');
    writeFile(dir, 'Dockerfile', REINCLUDE_DOCKERFILE);
    for (const engine of engines) {
      await ensureBaseImage(engine);
      for (const builder of BUILDERS) {
        const what = `${engine.label} ${builder}`;
        const tag = `dl-test/context-reinclude:${builder}`;
        await buildImage(engine, { context: dir, builder, tag });
        const index = indexContext(dir, 'Dockerfile', builder);
        const walk = [...index.entries.values()].map((e) => ({ path: e.path, isDir: e.type === 'dir' }));
        assert.deepEqual(await listImage(engine, tag, 'ctx/'), withParents(includedPaths(rulesOf(engine, index.ignoreFile!.text), walk, builder)), `${what}: files COPY . sent`);
        const analysis = analyzeDockerfile(REINCLUDE_DOCKERFILE, { builder, buildArgs: {}, engine: modelOf(engine) }, index);
        const copies = analysis.steps.filter((s) => s.keyword === 'COPY');
        const sizes = await historySizes(engine, tag, builder);
        assert.deepEqual(copies.map((s) => `${s.summary} = ${s.size.bytes}`), copies.map((s, i) => `${s.summary} = ${sizes[i]}`), `${what}: predicted vs docker history`);
        assert.deepEqual(analysis.findings.filter((f) => f.severity === 'error').map((f) => f.message), [], `${what}: no predicted failure`);
        t.diagnostic(`${what}: ${copies.map((s) => `${s.summary} ${s.size.bytes} B`).join(', ')}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** COPY/ADD fixtures of the size test: one step each, in one Dockerfile, checked against history. */
const SIZE_DOCKERFILE = [
  'FROM scratch AS files',
  'COPY dir2 /f/',
  `FROM ${BASE_IMAGE}`,
  'COPY dir1 /c1/',
  'COPY *.txt /c2/',
  'COPY many /c3/',
  'COPY big.bin /c4/',
  'ADD payload.tar.gz /c5/',
  'ADD payload.tar.bz2 /c6/',
  'ADD payload.tar.xz /c7/',
  'ADD plain.tar /c8/',
  'COPY --chown=1:2 dir1 /c9/',
  'COPY data?.bin [ab]*.cfg /c10/',
  'COPY --from=files /f /c11/',
  'ARG SRC=dir2',
  'COPY ${SRC} /c12/',
  'COPY links /c13/',
  'COPY link-to-big /c14/',
  'ADD notatar.gz /c15/',
  'ADD dir1 /c16/',
  'COPY one.txt one.txt two.txt /c17/',
  'COPY . /c18/',
];

test('conformance: predicted COPY/ADD bytes equal docker history sizes (both builders, every engine)', async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return t.skip(engines.skip);
  for (const engine of engines) await t.test(engine.label, () => checkSizeFixture(engine));
});

async function checkSizeFixture(engine: TestEngine): Promise<void> {
  await ensureBaseImage(engine);
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-sizes-'));
  try {
    await makeSizeContext(dir);
    for (const builder of BUILDERS) {
      const tag = `dl-test/context-sizes:${builder}`;
      await buildImage(engine, { context: dir, builder, tag });
      const index = await withArchives(indexContext(dir, 'Dockerfile', builder), dir);
      const analysis = analyzeDockerfile(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), { builder, buildArgs: {}, engine: modelOf(engine) }, index);
      const steps = analysis.steps.filter((s) => s.stage === 1 && (s.keyword === 'COPY' || s.keyword === 'ADD'));
      const sizes = await historySizes(engine, tag, builder);
      assert.equal(sizes.length, steps.length, `${builder}: one history entry per COPY/ADD`);
      assert.ok(steps.length >= 12);
      const observed = steps.map((s, i) => `${s.summary} = ${sizes[i]}`);
      const predicted = steps.map((s) => `${s.summary} = ${s.size.bytes}`);
      assert.deepEqual(predicted, observed, `${engine.label} ${builder}: predicted vs docker history`);
      for (const s of steps) assert.equal(s.size.source, 'exact', `${builder}: ${s.summary}: ${s.size.detail}`);
      assert.deepEqual(analysis.findings.filter((f) => f.severity === 'error'), []);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function makeSizeContext(dir: string): Promise<void> {
  for (const f of ['dir1/a', 'dir1/sub/b', 'dir1/sub/deeper/c', 'dir2/x', 'dir2/y/z']) writeFile(dir, f, `${f} content\n`.repeat(7));
  mkdirSync(path.join(dir, 'dir1', 'empty'));
  for (const f of ['one.txt', 'two.txt', 'three.txt', 'data1.bin', 'data2.bin', 'data10.bin', 'a.cfg', 'b1.cfg', 'c.cfg']) writeFile(dir, f, `${f}:${'#'.repeat(f.length * 13)}`);
  for (let i = 0; i < 400; i++) writeFile(dir, `many/d${i % 10}/f${i}`, 'x'.repeat(i * 3));
  writeFile(dir, 'big.bin', pseudoRandom(3 * 1024 * 1024 + 17));
  writeFile(dir, 'payload/p1.txt', 'payload one\n'.repeat(100));
  writeFile(dir, 'payload/deep/p2.bin', pseudoRandom(54_321));
  // A symlink inside the archives: the builders may count its link text differently, as they do for context links.
  symlinkSync('../p1.txt', path.join(dir, 'payload', 'deep', 'to-p1'));
  for (const [name, flag] of [['payload.tar.gz', '-z'], ['payload.tar.bz2', '-j'], ['payload.tar.xz', '-J'], ['plain.tar', '']]) {
    const r = await runProcess('tar', ['-C', dir, ...(flag ? [flag] : []), '-cf', path.join(dir, name), 'payload']);
    assert.equal(r.code, 0, r.stderr);
  }
  const gz = await runProcess('gzip', ['-k', path.join(dir, 'one.txt')]);
  assert.equal(gz.code, 0, gz.stderr);
  writeFileSync(path.join(dir, 'notatar.gz'), readFileSync(path.join(dir, 'one.txt.gz')));
  mkdirSync(path.join(dir, 'links'));
  writeFile(dir, 'links/real', 'real file\n');
  symlinkSync('real', path.join(dir, 'links', 'short'));
  symlinkSync('../dir2/y/z', path.join(dir, 'links', 'longer-link-text'));
  symlinkSync('big.bin', path.join(dir, 'link-to-big'));
  writeFile(dir, '.dockerignore', 'many/d3\n*.gz\n!payload.tar.gz\n!notatar.gz\n');
  writeFile(dir, 'Dockerfile', `${SIZE_DOCKERFILE.join('\n')}\n`);
}

/** Deterministic bytes that compress badly, so a size mistake cannot hide behind compression. */
function pseudoRandom(n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = 0x12345678;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function writeFile(root: string, rel: string, content: string | Buffer): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), content);
}

/**
 * A ContextIndex made by the test itself with lstat and sha256, so that these tests check the core's rules
 * and not the scanner; archives are measured with the scanner's archive reader. The ignore file is the one
 * each builder reads: BuildKit prefers `<Dockerfile>.dockerignore`, the legacy builder reads only `.dockerignore`.
 */
function indexContext(root: string, dockerfile: string, builder: Builder): ContextIndex {
  const entries = new Map<string, ContextEntry>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(path.join(root, p));
      const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      const entry: ContextEntry = { path: p, type, size: type === 'dir' ? 0 : st.size, mode: st.mode & 0o7777 };
      if (type === 'symlink') entry.linkTarget = readlinkSync(path.join(root, p));
      if (type === 'file') entry.hash = createHash('sha256').update(readFileSync(path.join(root, p))).digest('hex');
      entries.set(p, entry);
      if (type === 'dir') walk(p);
    }
  };
  walk('');
  const candidates = builder === 'buildkit' ? [`${dockerfile}.dockerignore`, '.dockerignore'] : ['.dockerignore'];
  const found = candidates.find((c) => entries.has(c));
  const ignoreFile = found === undefined ? null : { name: found, text: readFileSync(path.join(root, found), 'utf8') };
  return { root, entries, ignoreFile, archives: new Map(), problems: [] };
}

async function withArchives(index: ContextIndex, root: string): Promise<ContextIndex> {
  const archives = new Map<string, ArchiveInfo>();
  for (const e of index.entries.values()) {
    if (e.type !== 'file') continue;
    const head = Buffer.alloc(512);
    const fd = openSync(path.join(root, e.path), 'r');
    const n = readSync(fd, head, 0, 512, 0);
    closeSync(fd);
    const kind = sniffArchive(head.subarray(0, n));
    const info = kind === undefined ? null : await inspectArchive(path.join(root, e.path), kind);
    if (info !== null) archives.set(e.path, info);
  }
  return { ...index, archives };
}

/** Every path under `prefix` in the image's file system (folders without their trailing slash), sorted. */
async function listImage(engine: TestEngine, image: string, prefix: string): Promise<string[]> {
  const created = await runProcess(engine.cli, ['create', image, 'sh'], engine.env);
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-export-'));
  try {
    const tarball = path.join(dir, 'fs.tar');
    const exported = await runProcess(engine.cli, ['export', '-o', tarball, id], engine.env);
    assert.equal(exported.code, 0, exported.stderr);
    const listed = await runProcess('tar', ['--quoting-style=literal', '-tf', tarball]);
    return listed.stdout.split('\n').filter((l) => l.startsWith(prefix) && l !== prefix)
      .map((l) => l.slice(prefix.length).replace(/\/$/, '')).sort();
  } finally {
    await runProcess(engine.cli, ['rm', id], engine.env);
    rmSync(dir, { recursive: true, force: true });
  }
}

function withParents(paths: string[]): string[] {
  const all = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  return [...all].sort();
}

/** Sizes in bytes of the image's COPY/ADD history entries, oldest first (the base image has none). */
async function historySizes(engine: TestEngine, image: string, builder: Builder): Promise<number[]> {
  const r = await runProcess(engine.cli, ['history', '--human=false', '--no-trunc', '--format', '{{.Size}}\t{{.CreatedBy}}', image], engine.env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').reverse().map((line) => line.split('\t'))
    .filter(([, createdBy]) => ['COPY', 'ADD'].includes(historyKeyword({ createdBy, emptyLayer: false }, builder)))
    .map(([size]) => Number(size));
}
