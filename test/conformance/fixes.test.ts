/**
 * Proof against a real Docker Engine that the quick fixes are safe: for every fix the language server
 * offers on the fixtures (test/fixtures/fixes/*), the image is built before and after applying it, both
 * filesystems are exported and compared (paths, types, modes, owners, content hashes; mtimes, files that
 * differ between two builds of the same Dockerfile, and the caches a fix exists to remove are ignored),
 * and layers and bytes are measured. The ordering fix is also rebuilt after a source-only edit to show
 * that the install then comes from the cache. Fixtures with `"subset"` codes may lose files (the
 * --no-install-recommends fix drops recommended packages): there, the fixed image's files must all be
 * present, and identical, in the original.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyEdits, type TextEdit } from '../../server/src/core/fixes/edits';
import { BASE_IMAGE, buildImage, builderEnv, ensureBaseImage, readHistory, requireEngines, runProcess, type Builder, type TestEngine } from './docker';
import { DEBIAN_IMAGE, ensureDebianImage } from './debian';
import { differingPaths, describeDifference, exportFilesystem, type FsEntry } from './filesystem';
import { codeActions, closeDocument, editsOf, openDocument, startFixClient, stopFixClient, type FixClient } from '../protocol/fixClient';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/fixes');
const REPORT = path.resolve(__dirname, '../../../out/conformance/fixes-report.json');

interface FixtureSpec {
  fixes: string[];
  builders: Builder[];
  subset?: string[];
  sourceEdit?: string;
}

/** Paths a fix of this code exists to remove: ignored when comparing filesystems. */
const REMOVED_BY: Record<string, RegExp> = {
  'apt-lists-left': /^\/var\/lib\/apt\/lists\//,
  'pip-cache': /^\/root\/\.cache\/pip(\/|$)/,
  'npm-cache': /^\/root\/\.npm(\/|$)/,
  'apk-cache': /^\/var\/cache\/apk\//,
};

/**
 * The package manager's own records, which list the installed packages and so change when fewer are
 * installed: allowed to differ where a fix installs fewer packages (`subset` fixtures), nowhere else.
 */
const PACKAGE_DATABASE = /^(\/var\/lib\/dpkg\/|\/var\/cache\/debconf\/|\/var\/lib\/apt\/extended_states$|\/etc\/ld\.so\.cache$|\/var\/log\/)/;

/** Fixes that must save layers or bytes (never add either); the others must not add bytes. */
const MUST_SAVE = new Set(['merge-runs', 'cleanup-in-later-layer', 'apt-lists-left', 'apt-install-recommends']);

interface OfferedFix {
  code: string;
  title: string;
  edits: TextEdit[];
}

interface Measured {
  layers: number;
  bytes: number;
  fs: Map<string, FsEntry>;
}

interface ReportRow {
  fixture: string;
  engine: string;
  builder: Builder;
  code: string;
  title: string;
  layers: [number, number];
  bytes: [number, number];
  fs: string;
  cache?: string;
  seconds: number;
}

const rows: ReportRow[] = [];
let engines: TestEngine[] = [];
let skip: string | undefined;
let client: FixClient;
const started = Date.now();

/** Debian fixtures last, so the busybox ones report quickly; each group in name order. */
function fixtureNames(): string[] {
  const names = readdirSync(FIXTURES).sort();
  const usesDebian = (n: string): boolean => readFileSync(path.join(FIXTURES, n, 'Dockerfile'), 'utf8').includes(DEBIAN_IMAGE);
  return [...names.filter((n) => !usesDebian(n)), ...names.filter(usesDebian)];
}

describe('quick fixes keep the files and save layers or bytes (real Docker Engine)', { timeout: 45 * 60_000 }, () => {
  before(async () => {
    const found = await requireEngines();
    if ('skip' in found) {
      skip = found.skip;
      return;
    }
    engines = found;
    for (const engine of engines) {
      await ensureBaseImage(engine);
      await ensureDebianImage(engine);
    }
    client = await startFixClient();
  });

  after(async () => {
    if (client !== undefined) await stopFixClient(client);
    if (rows.length === 0) return;
    mkdirSync(path.dirname(REPORT), { recursive: true });
    writeFileSync(REPORT, JSON.stringify({ seconds: Math.round((Date.now() - started) / 1000), rows }, null, 2));
    for (const r of rows) {
      console.log(`${r.fixture} ${r.engine} ${r.builder} ${r.code}: layers ${r.layers[0]} -> ${r.layers[1]}, bytes ${r.bytes[0]} -> ${r.bytes[1]}, fs ${r.fs}${r.cache ? `, cache ${r.cache}` : ''} (${r.seconds} s)`);
    }
    console.log(`total ${Math.round((Date.now() - started) / 1000)} s; report: ${REPORT}`);
  });

  for (const name of fixtureNames()) {
    it(name, async (t) => {
      if (skip !== undefined) return t.skip(skip);
      const dir = path.join(FIXTURES, name);
      const spec = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as FixtureSpec;
      const text = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
      const offered = await offeredFixes(path.join(dir, 'Dockerfile'), text);
      assert.deepEqual([...new Set(offered.map((f) => f.code))].sort(), [...spec.fixes].sort(), `fixes offered: ${offered.map((f) => f.title).join(' | ')}`);
      for (const engine of engines) for (const builder of spec.builders) {
        const baselines = new Map<string, { original: Measured; volatile: Set<string> }>();
        for (const [i, fix] of offered.entries()) {
          const t0 = Date.now();
          // A fix in a stage the final image does not contain is measured on that stage's image.
          const target = stageOfEdit(text, fix.edits[0].range.start.line);
          const key = target ?? '';
          if (!baselines.has(key)) {
            const first = await buildAndMeasure(engine, dir, text, builder, `dl-fix/${name}:${builder}-before${key}`, false, target);
            const again = await buildAndMeasure(engine, dir, text, builder, `dl-fix/${name}:${builder}-again${key}`, true, target);
            baselines.set(key, { original: first, volatile: new Set(differingPaths(first.fs, again.fs)) });
          }
          const { original, volatile } = baselines.get(key)!;
          const fixedText = applyEdits(text, fix.edits);
          const fixed = await buildAndMeasure(engine, dir, fixedText, builder, `dl-fix/${name}:${builder}-fix${i}`, false, target);
          const what = `${name} ${engine.label} ${builder}`;
          const fs = compareFilesystems(original, fixed, volatile, fix.code, spec.subset?.includes(fix.code) === true, `${what} ${fix.code}`);
          checkSavings(original, fixed, fix.code, `${what} ${fix.title}`);
          const cache = fix.code === 'copy-before-install' && spec.sourceEdit !== undefined && builder === 'buildkit'
            ? await checkCacheAfterSourceEdit(engine, dir, text, fixedText, spec.sourceEdit, name) : undefined;
          rows.push({ fixture: target === undefined ? name : `${name} (--target ${target})`, engine: engine.label, builder, code: fix.code, title: fix.title, layers: [original.layers, fixed.layers], bytes: [original.bytes, fixed.bytes], fs, cache, seconds: Math.round((Date.now() - t0) / 1000) });
        }
      }
    });
  }
});

/** Every distinct quick fix the language server offers for the file's diagnostics. */
async function offeredFixes(file: string, text: string): Promise<OfferedFix[]> {
  const uri = pathToFileURL(file).toString();
  const diagnostics = await openDocument(client, uri, text);
  const seen = new Map<string, OfferedFix>();
  for (const d of diagnostics) {
    for (const action of await codeActions(client, uri, d.range)) {
      if (action.kind !== 'quickfix') continue;
      const edits = editsOf(action, uri);
      seen.set(JSON.stringify(edits), { code: String(action.diagnostics?.[0]?.code), title: action.title, edits });
    }
  }
  await closeDocument(client, uri);
  return [...seen.values()];
}

/** Builds `dockerfileText` in a copy of the fixture's context; returns layers, bytes and the filesystem. */
async function buildAndMeasure(engine: TestEngine, dir: string, dockerfileText: string, builder: Builder, tag: string, noCache = false, target?: string): Promise<Measured> {
  const context = copyContext(dir, dockerfileText);
  try {
    if (noCache) await buildNoCache(engine, context, builder, tag, target);
    else await buildImage(engine, { context, builder, tag, target });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  const history = await readHistory(engine, tag);
  const size = await runProcess(engine.cli, ['image', 'inspect', '--format', '{{.Size}}', tag], engine.env);
  const base = await readHistory(engine, baseOf(dockerfileText));
  return { layers: history.layerCount - base.layerCount, bytes: Number(size.stdout.trim()), fs: await exportFilesystem(engine, tag) };
}

/** The name of the stage that holds 0-based `line` when a later stage follows it; undefined for the last stage. */
function stageOfEdit(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/);
  const froms = lines.map((l, i) => ({ i, m: /^\s*FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(l) })).filter((f) => f.m !== null);
  const own = froms.filter((f) => f.i <= line).pop();
  const later = froms.some((f) => f.i > line);
  return later && own?.m?.[1] !== undefined ? own.m[1] : undefined;
}

function baseOf(dockerfileText: string): string {
  return dockerfileText.includes(DEBIAN_IMAGE) ? DEBIAN_IMAGE : BASE_IMAGE;
}

function copyContext(dir: string, dockerfileText: string): string {
  const context = mkdtempSync(path.join(tmpdir(), 'dl-fixctx-'));
  cpSync(dir, context, { recursive: true });
  rmSync(path.join(context, 'fixture.json'));
  writeFileSync(path.join(context, 'Dockerfile'), dockerfileText);
  return context;
}

async function buildNoCache(engine: TestEngine, context: string, builder: Builder, tag: string, target?: string): Promise<void> {
  const env = builderEnv(engine, builder);
  const args = ['build', '--no-cache', '-t', tag, ...(builder === 'buildkit' ? ['--progress=plain'] : []), ...(target === undefined ? [] : ['--target', target]), context];
  const r = await runProcess(engine.cli, args, env, 900_000);
  if (r.code !== 0) throw new Error(`--no-cache ${engine.label} ${builder} build failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
}

/** Compares the filesystems; returns a summary for the report. */
function compareFilesystems(a: Measured, b: Measured, volatile: Set<string>, code: string, subset: boolean, what: string): string {
  const removed = REMOVED_BY[code];
  const differing = differingPaths(a.fs, b.fs).filter((p) => !volatile.has(p) && !(removed?.test(p) ?? false));
  if (!subset) {
    assert.deepEqual(differing.slice(0, 20).map((p) => describeDifference(p, a.fs, b.fs)), [], `${what}: filesystems differ`);
    return `identical (${a.fs.size} paths; ${volatile.size} volatile${removed ? ', fixed caches ignored' : ''})`;
  }
  const added = differing.filter((p) => b.fs.has(p) && !isDirectoryBoth(p, a.fs, b.fs) && !PACKAGE_DATABASE.test(p));
  assert.deepEqual(added.slice(0, 20).map((p) => describeDifference(p, a.fs, b.fs)), [], `${what}: the fixed image has files the original lacks or changed`);
  const records = differing.filter((p) => b.fs.has(p) && PACKAGE_DATABASE.test(p)).length;
  return `subset: ${differing.filter((p) => !b.fs.has(p)).length} paths fewer (recommended packages), none added; ${records} package-database files changed`;
}

function isDirectoryBoth(p: string, a: Map<string, FsEntry>, b: Map<string, FsEntry>): boolean {
  return a.get(p)?.type === 'directory' && b.get(p)?.type === 'directory';
}

function checkSavings(a: Measured, b: Measured, code: string, what: string): void {
  if (code === 'copy-before-install') {
    assert.ok(b.layers <= a.layers + 1, `${what}: at most one more layer (${a.layers} -> ${b.layers})`);
    return;
  }
  assert.ok(b.layers <= a.layers, `${what}: never more layers (${a.layers} -> ${b.layers})`);
  assert.ok(b.bytes <= a.bytes, `${what}: never more bytes (${a.bytes} -> ${b.bytes})`);
  if (MUST_SAVE.has(code)) assert.ok(b.layers < a.layers || b.bytes < a.bytes, `${what}: fewer layers or bytes (layers ${a.layers} -> ${b.layers}, bytes ${a.bytes} -> ${b.bytes})`);
}

/**
 * After a source-only edit, a second BuildKit build of the original reruns the install while the fixed
 * Dockerfile takes it from the cache.
 */
async function checkCacheAfterSourceEdit(engine: TestEngine, dir: string, original: string, fixed: string, sourceFile: string, name: string): Promise<string> {
  const results: string[] = [];
  for (const [label, text] of [['original', original], ['fixed', fixed]] as const) {
    const context = copyContext(dir, text);
    try {
      await buildImage(engine, { context, builder: 'buildkit', tag: `dl-fix/${name}:cache-${label}` });
      appendFileSync(path.join(context, sourceFile), `# edited ${Date.now()}\n`);
      const log = await buildImage(engine, { context, builder: 'buildkit', tag: `dl-fix/${name}:cache-${label}` });
      const cached = installCached(log);
      assert.notEqual(cached, null, `${label}: the install step is in the log:\n${log}`);
      assert.equal(cached, label === 'fixed', `${label}: after editing ${sourceFile} the install is ${label === 'fixed' ? '' : 'not '}from cache:\n${log}`);
      results.push(`${label} ${cached === true ? 'CACHED' : 'rebuilt'}`);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  }
  return `after editing ${sourceFile}: install ${results.join(', ')}`;
}

/** Whether BuildKit's plain log shows the dependency install step as CACHED; null when the step is absent. */
function installCached(log: string): boolean | null {
  const step = /^#(\d+) \[[^\]]*\] RUN .*(pip install|npm ci|npm install|go mod download)/m.exec(log);
  if (step === null) return null;
  return new RegExp(`^#${step[1]} CACHED`, 'm').test(log);
}
