/**
 * The docker side against a real Docker Engine (skipped without one, failing in CI): builds with both builders,
 * cache results of a second build, measured bytes against `docker history`, largest files, and the failures
 * users meet (no socket, a daemon that never answers, a missing CLI, a cancelled build).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { runBuild } from '../../server/src/docker/build';
import { parseCacheResults } from '../../server/src/docker/buildLog';
import { Engine, EngineError, engineAddress, type EngineAddress } from '../../server/src/docker/engine';
import { measureImage } from '../../server/src/docker/measure';
import type { Builder } from '../../server/src/core/types';
import { BASE_IMAGE, ensureBaseImage, requireDaemon, requireEngines, runProcess, type TestEngine } from '../conformance/docker';

/** A fresh context: a Dockerfile whose COPY and RUN are new to the cache (a nonce), and a 5000-byte file. */
function makeContext(nonce: string, extra = ''): { dir: string; dockerfile: string; text: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-docker-test-'));
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'big.bin'), randomBytes(5000));
  writeFileSync(path.join(dir, 'data', 'small.txt'), nonce);
  const text = [`FROM ${BASE_IMAGE}`, 'COPY data/ /data/', `RUN echo ${nonce} > /nonce.txt`, 'WORKDIR /app', extra, 'CMD ["sh"]', ''].join('\n');
  writeFileSync(path.join(dir, 'Dockerfile'), text);
  return { dir, dockerfile: path.join(dir, 'Dockerfile'), text };
}

/** The Engine API address of a test engine (its DOCKER_HOST). */
function addressOf(engine: TestEngine): EngineAddress {
  const a = engineAddress(engine.env);
  if ('error' in a) throw new Error(a.error);
  return a;
}

for (const builder of ['buildkit', 'legacy'] as Builder[]) {
  test(`${builder}: a second build takes every step from cache, and measured bytes equal docker history (every engine)`, async (t) => {
    const engines = await requireEngines();
    if ('skip' in engines) return void t.skip(engines.skip);
    for (const engine of engines) await t.test(engine.label, () => checkSecondBuild(engine, builder));
  });
}

async function checkSecondBuild(engine: TestEngine, builder: Builder): Promise<void> {
    await ensureBaseImage(engine);
    const ctx = makeContext(randomBytes(8).toString('hex'));
    try {
      const options = { dockerPath: engine.cli, builder, dockerfile: ctx.dockerfile, context: ctx.dir, buildArgs: {}, env: engine.env };
      const analysis = analyzeDockerfile(ctx.text, { builder, buildArgs: {} });
      const first = await runBuild(options);
      assert.equal(first.ok, true, first.message);
      assert.deepEqual([...parseCacheResults(first.log, analysis)].filter(([, s]) => s === 'hit'), []);
      const chunks: string[] = [];
      const second = await runBuild({ ...options, onOutput: (c) => chunks.push(c) });
      assert.equal(second.ok, true, second.message);
      assert.equal(second.imageId, first.imageId);
      assert.ok(chunks.length > 0, 'no output was streamed');
      const cache = parseCacheResults(second.log, analysis);
      const expectedHits = builder === 'buildkit' ? [1, 2, 3] : [1, 2, 3, 5];
      assert.deepEqual([...cache].filter(([, s]) => s === 'hit').map(([l]) => l).sort(), expectedHits);

      const m = await measureImage(new Engine({ address: addressOf(engine) }), second.imageId ?? '', { text: ctx.text, analysis, target: null, cache });
      const cli = await runProcess(engine.cli, ['history', '--no-trunc', '--human=false', '--format', '{{.CreatedBy}}\t{{.Size}}', second.imageId ?? ''], engine.env);
      const history = new Map(cli.stdout.trim().split('\n').map((row) => [row.slice(0, row.lastIndexOf('\t')), Number(row.slice(row.lastIndexOf('\t') + 1))]));
      const measured = [...m.image.baseLayers, ...m.image.layers];
      // Base, COPY, RUN and the 0-byte layer of WORKDIR of a new folder (both builders make that one).
      assert.equal(measured.length, 4);
      for (const layer of measured) assert.equal(layer.bytes, history.get(layer.createdBy), `bytes of ${layer.createdBy}`);
      const copy = m.image.layers.find((l) => l.line === 1);
      assert.ok(copy, 'the COPY step has no measured layer');
      assert.equal(copy.bytes, 5000 + 16);
      assert.deepEqual(copy.largestFiles, [{ path: '/data/big.bin', bytes: 5000 }, { path: '/data/small.txt', bytes: 16 }]);
      assert.equal(m.image.layers.find((l) => l.line === 2)?.bytes, 17, 'RUN echo NONCE > /nonce.txt writes 16 hex digits and a newline');
      assert.equal(m.image.baseLayers.length, 1);
      assert.deepEqual(m.image.baseLayers[0].largestFiles[0].path, '/bin/busybox');
      assert.deepEqual(m.image.cachedLines, expectedHits);
    } finally {
      rmSync(ctx.dir, { recursive: true, force: true });
    }
}

/** A unix socket that accepts connections and never answers: a daemon that hangs. */
async function silentSocket(): Promise<{ path: string; server: Server; close: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-silent-'));
  const socketPath = path.join(dir, 'docker.sock');
  const held: import('node:net').Socket[] = [];
  const server = createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const close = async (): Promise<void> => {
    held.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  return { path: socketPath, server, close };
}

test('the Engine explains a missing socket as a daemon that is not running', async () => {
  const engine = new Engine({ address: { socketPath: path.join(tmpdir(), `dl-none-${process.pid}.sock`) }, timeoutMs: 2000 });
  await assert.rejects(engine.inspectImage(BASE_IMAGE), (e: unknown) => e instanceof EngineError && e.kind === 'unreachable' && /not running: there is no socket/.test(e.message));
});

test('the Engine gives up on a daemon that accepts but never answers, within its deadline', async () => {
  const silent = await silentSocket();
  try {
    const engine = new Engine({ address: { socketPath: silent.path }, timeoutMs: 400 });
    for (const call of [() => engine.ping(), () => engine.history(BASE_IMAGE), () => engine.save(BASE_IMAGE)]) {
      const started = Date.now();
      await assert.rejects(call(), (e: unknown) => e instanceof EngineError && e.kind === 'timeout' && /did not answer within 0.4 s/.test(e.message));
      const took = Date.now() - started;
      assert.ok(took >= 350 && took < 3000, `gave up after ${took} ms`);
    }
  } finally {
    await silent.close();
  }
});

test('an API error answer is explained with the daemon\'s own message', async (t) => {
  const daemon = await requireDaemon();
  if ('skip' in daemon) return void t.skip(daemon.skip);
  await assert.rejects(new Engine().inspectImage('dl-test/no-such-image:0'), (e: unknown) => e instanceof EngineError && e.kind === 'not-found' && /No such image/i.test(e.message) && /HTTP 404/.test(e.message));
});

test('a build with a docker CLI that does not exist says so', async () => {
  const ctx = makeContext('x');
  try {
    const r = await runBuild({ dockerPath: path.join(ctx.dir, 'no-docker'), builder: 'buildkit', dockerfile: ctx.dockerfile, context: ctx.dir, buildArgs: {} });
    assert.equal(r.ok, false);
    assert.equal(r.failure, 'cli');
    assert.match(r.message, /docker CLI was not found at .*no-docker.*dockerfileLayers\.docker\.path/);
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

test('a build against a daemon that is not running says so', async (t) => {
  const daemon = await requireDaemon();
  if ('skip' in daemon) return void t.skip(daemon.skip);
  const ctx = makeContext('x');
  try {
    const env = { ...process.env, DOCKER_HOST: `unix://${path.join(ctx.dir, 'nowhere.sock')}` };
    for (const builder of ['buildkit', 'legacy'] as Builder[]) {
      const r = await runBuild({ dockerPath: daemon.cli, builder, dockerfile: ctx.dockerfile, context: ctx.dir, buildArgs: {}, env });
      assert.equal(r.failure, 'daemon', `${builder}: ${r.message}`);
      assert.match(r.message, /Docker daemon is not running/);
    }
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

test('cancelling a build kills the docker CLI and the step it runs (every engine)', async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return void t.skip(engines.skip);
  for (const engine of engines) await t.test(engine.label, () => checkCancel(engine));
});

async function checkCancel(engine: TestEngine): Promise<void> {
  await ensureBaseImage(engine);
  for (const builder of ['buildkit', 'legacy'] as Builder[]) {
    const nonce = randomBytes(8).toString('hex');
    const ctx = makeContext(nonce, `RUN /bin/busybox sleep 60 && echo sleeper-${nonce}`);
    try {
      const controller = new AbortController();
      const started = Date.now();
      let sawSleeper = false;
      // Cancel once the step runs (proved by finding its process), so the check after the cancel means something.
      const cancelWhenRunning = (): void => void runProcess('pgrep', ['-f', `sleeper-${nonce}`]).then((p) => {
        if (p.code === 0) return void (sawSleeper = true, controller.abort());
        setTimeout(cancelWhenRunning, 200);
      });
      const r = await runBuild({
        dockerPath: engine.cli, env: engine.env, builder, dockerfile: ctx.dockerfile, context: ctx.dir, buildArgs: {}, signal: controller.signal,
        onOutput: (c) => { if (c.includes('sleep 60') && !controller.signal.aborted) cancelWhenRunning(); },
      });
      assert.equal(sawSleeper, true, `${builder}: the sleeping step was never seen running`);
      assert.equal(r.cancelled, true, `${builder}: ${r.message}`);
      assert.equal(r.failure, 'cancelled');
      assert.ok(Date.now() - started < 20_000, `${builder}: the cancel took ${Date.now() - started} ms`);
      // Nothing that names this build is left: not the CLI (its argv has the context folder), not the sleeping step.
      await waitFor(async () => (await runProcess('pgrep', ['-f', ctx.dir])).code === 1, `${builder}: the docker CLI still runs`);
      await waitFor(async () => (await runProcess('pgrep', ['-f', `sleeper-${nonce}`])).code === 1, `${builder}: the RUN step still runs`);
    } finally {
      rmSync(ctx.dir, { recursive: true, force: true });
    }
  }
}

async function waitFor(check: () => Promise<boolean>, message: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(message);
}
