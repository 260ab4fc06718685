import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
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
    assert.deepEqual(Object.keys(j), ['dockerfile', 'context', 'builder', 'target', 'stages', 'steps', 'totals']);
    assert.equal(j.dockerfile, join(dir, 'Dockerfile'));
    assert.equal(j.context, dir);
    assert.equal(j.builder, 'legacy');
    assert.equal(j.target, 1);
    assert.deepEqual(j.stages[0], { index: 0, name: 'build', base: 'alpine', line: 2, inTarget: true });
    assert.deepEqual(j.steps[4], { line: 5, endLine: 6, stage: 1, keyword: 'COPY', layer: 'yes', size: { bytes: null, source: 'unknown' }, cache: { status: 'unknown', reason: 'No earlier build to compare with.' } });
    assert.deepEqual(Object.keys(j.steps[0]), ['line', 'endLine', 'stage', 'keyword', 'layer', 'size', 'cache']);
    assert.equal(j.steps[0].stage, null);
    assert.deepEqual(Object.keys(j.totals), ['layers', 'bytes']);
    assert.equal(j.totals.layers, 1);
  });
});

test('the table shows every instruction and the builder', async () => {
  await withDir({ Dockerfile: 'FROM alpine\r\nRUN echo hi > /x\r\n' }, async (dir) => {
    const r = await run(['analyze', join(dir, 'Dockerfile')]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^LINE\s+STAGE\s+INSTRUCTION\s+LAYER\s+SIZE\s+CACHE/);
    assert.match(r.out, /\n2\s+#0\s+RUN echo hi > \/x\s+yes\s+\?\s+unknown/);
    assert.match(r.out, /Final image: 1 layer added, size unknown \(BuildKit, target #0\)/);
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
