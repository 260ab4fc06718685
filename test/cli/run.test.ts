import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../server/src/cli';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
  return { code, out, err };
}

async function withDir(files: Record<string, string | Buffer>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dl-cli-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--json prints exactly the documented shape', async () => {
  await withDir({ Dockerfile: 'ARG B=alpine\nFROM $B AS build\nRUN true\nFROM alpine\nCOPY --from=build /a \\\n  /b\nENV X=1\n' }, async (dir) => {
    const r = await run(['analyze', join(dir, 'Dockerfile'), '--json', '--builder', 'legacy']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['dockerfile', 'context', 'builder', 'engine', 'target', 'stages', 'steps', 'totals']);
    assert.deepEqual(Object.keys(j.engine), ['version', 'source', 'model']);
    assert.equal(j.dockerfile, join(dir, 'Dockerfile'));
    assert.equal(j.context, dir);
    assert.equal(j.builder, 'legacy');
    assert.equal(j.target, 1);
    assert.deepEqual(j.stages[0], { index: 0, name: 'build', base: 'alpine', line: 2, inTarget: true });
    assert.deepEqual(j.steps[4], { line: 5, endLine: 6, stage: 1, keyword: 'COPY', layer: 'yes', size: { bytes: null, source: 'unknown', lowerBound: false, detail: j.steps[4].size.detail }, cache: { status: 'unknown', reason: j.steps[4].cache.reason, source: 'predicted' }, wasted: { bytes: 0 } });
    assert.match(j.steps[4].size.detail, /build$|stage build runs commands|runs commands/);
    assert.match(j.steps[4].cache.reason, /^No build of this Dockerfile for this target and builder is recorded in .* yet/);
    assert.deepEqual(Object.keys(j.steps[0]), ['line', 'endLine', 'stage', 'keyword', 'layer', 'size', 'cache', 'wasted']);
    assert.equal(j.steps[0].stage, null);
    assert.deepEqual(Object.keys(j.totals), ['layers', 'bytes', 'lowerBound', 'estimated', 'base', 'imageBytes', 'wastedBytes', 'wastedLowerBound', 'efficiency', 'userWastedPercent', 'wasteSource', 'nextBuild']);
    assert.equal(j.totals.layers, 1);
  });
});

test('the table shows every instruction and the builder', async () => {
  await withDir({ Dockerfile: 'FROM alpine\r\nRUN echo hi > /x\r\n' }, async (dir) => {
    const r = await run(['analyze', join(dir, 'Dockerfile'), '--engine-version', '26.1.5']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^LINE\s+STAGE\s+INSTRUCTION\s+LAYER\s+SIZE\s+CACHE\s+WASTED/);
    assert.match(r.out, /\n2\s+#0\s+RUN echo hi > \/x\s+yes\s+\?\s+unknown/);
    assert.match(r.out, /Final image: 1 layer added, size unknown \(BuildKit 0\.13 · Docker 26\.1, as given, target #0\)/);
  });
});

test('exit codes: 1 for build errors, 2 for usage and IO errors', async () => {
  await withDir({ Dockerfile: 'FROM alpine\nFOO bar\n', 'bin.Dockerfile': Buffer.from([0x46, 0, 0x52]) }, async (dir) => {
    const bad = await run(['analyze', join(dir, 'Dockerfile')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /Dockerfile:2: error: Unknown instruction FOO/);
    assert.equal((await run(['analyze', join(dir, 'missing')])).code, 2);
    assert.match((await run(['analyze', join(dir, 'missing')])).err, /Cannot read .*missing: no such file/);
    assert.match((await run(['analyze', dir])).err, /is a folder/);
    assert.match((await run(['analyze', join(dir, 'bin.Dockerfile')])).err, /binary file/);
    assert.match((await run(['analyze', join(dir, 'Dockerfile'), '--context', join(dir, 'nope')])).err, /not a folder/);
    const t = await run(['analyze', join(dir, 'Dockerfile'), '--target', 'x']);
    assert.equal(t.code, 2);
    assert.match(t.err, /Target stage "x" is not in this Dockerfile/);
    assert.equal((await run(['frobnicate'])).code, 2);
  });
});

test('default Dockerfile and context are the current folder', async () => {
  await withDir({ Dockerfile: 'FROM alpine\n' }, async (dir) => {
    mkdirSync(join(dir, 'sub'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const j = JSON.parse((await run(['analyze', '--json'])).out);
      assert.equal(j.dockerfile, join(dir, 'Dockerfile'));
      assert.equal(j.context, dir);
    } finally {
      process.chdir(cwd);
    }
  });
});

test('a context that is not scanned shows no size as a number: --context / is refused, an unlistable one is unknown', async () => {
  await withDir({ Dockerfile: 'FROM scratch\nCOPY . /x\n' }, async (dir) => {
    const table = await run(['analyze', join(dir, 'Dockerfile'), '--context', '/', '--no-docker']);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /\n2\s+#0\s+COPY \. \/x\s+yes\s+\?\s+unknown\n/);
    assert.match(table.out, /Final image: 1 layer added, size unknown \(/);
    assert.doesNotMatch(table.out, /\b0 B\b/);
    assert.match(table.err, /Dockerfile:2: info: The build context is \/, the whole file system: not scanned/);
    const json = JSON.parse((await run(['analyze', join(dir, 'Dockerfile'), '--context', '/', '--no-docker', '--json'])).out);
    assert.deepEqual([json.steps[1].size, json.totals.bytes], [{ bytes: null, source: 'unknown', lowerBound: false, detail: json.steps[1].size.detail }, null]);
    assert.match(json.steps[1].size.detail, /not scanned/);
  });
});

// Tests run as root, which lists every folder: the unlistable context is analyzed by a child process dropped to nobody.
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
test('an unlistable context folder: its sizes are unknown, not 0 B', { skip: setpriv ? false : 'setpriv is not installed' }, async () => {
  await withDir({ Dockerfile: 'FROM scratch\nCOPY . /x\n' }, async (dir) => {
    mkdirSync(join(dir, 'ctx'));
    writeFileSync(join(dir, 'ctx', 'a.txt'), 'hello');
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'Dockerfile'), 0o644);
    chmodSync(join(dir, 'ctx'), 0o311);
    const script = `require(process.argv[1]).runCli(process.argv.slice(2), (s) => process.stdout.write(s + '\\n'), (s) => process.stderr.write(s + '\\n'))`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script, require.resolve('../../server/src/cli'), 'analyze', join(dir, 'Dockerfile'), '--context', join(dir, 'ctx'), '--no-docker'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /COPY \. \/x\s+yes\s+\?\s+unknown\n/);
    assert.match(r.stdout, /size unknown/);
    assert.match(r.stderr, /cannot be listed \(permission denied\): nothing in it was measured/);
  });
});

test('--max-files: past it the sizes are lower bounds (≥ in the table, lowerBound in the JSON); a bad value is a usage error', async () => {
  await withDir({ Dockerfile: 'FROM scratch\nCOPY . /x\n', 'a.txt': 'a'.repeat(100), 'b.txt': 'b'.repeat(100), 'c.txt': 'c'.repeat(100) }, async (dir) => {
    const table = await run(['analyze', join(dir, 'Dockerfile'), '--max-files', '2', '--no-docker']);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /COPY \. \/x\s+yes\s+≥ \d+ B\s+unknown/);
    assert.match(table.out, /Final image: 1 layer added, ≥ \d+ B \(/);
    assert.match(table.err, /more than 2 files; the scan stopped there, so sizes are lower bounds/);
    const json = JSON.parse((await run(['analyze', join(dir, 'Dockerfile'), '--max-files', '2', '--no-docker', '--json'])).out);
    assert.equal(json.steps[1].size.lowerBound, true);
    assert.equal(json.totals.lowerBound, true);
    const all = JSON.parse((await run(['analyze', join(dir, 'Dockerfile'), '--max-files', '4', '--no-docker', '--json'])).out);
    const { bytes, source, lowerBound } = all.steps[1].size;
    assert.deepEqual([{ bytes, source, lowerBound }, all.totals.lowerBound], [{ bytes: 300 + 'FROM scratch\nCOPY . /x\n'.length, source: 'exact', lowerBound: false }, false]);
    const bad = await run(['analyze', join(dir, 'Dockerfile'), '--max-files', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--max-files needs a whole number of at least 1, not "0"/);
  });
});
