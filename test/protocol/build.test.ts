/**
 * The build over the protocol, through the built server (dist/server.js) over stdio and a real Docker Engine:
 * untrusted workspaces are refused without running anything; trusted ones build, stream the log, report
 * progress, and afterwards `dockerfileLayers/layers` has `measured` and the inlay hints show measured sizes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { BuildLogNotification, BuildRequest, LayersRequest, TrustNotification, WorkspaceRequest } from '../../server/src/protocol';
import { BASE_IMAGE, ensureBaseImage, requireDaemon, runProcess } from '../conformance/docker';
import { spawnServer } from './serverProcess';

interface Client {
  connection: ProtocolConnection;
  logs: string[];
  progress: string[];
  refreshes: number;
  stop: () => Promise<void>;
}

async function startClient(initializationOptions: unknown): Promise<Client> {
  const recorded = { logs: [] as string[], progress: [] as string[], refreshes: 0 };
  const server = spawnServer((connection) => {
    connection.onRequest('workspace/inlayHint/refresh', () => void recorded.refreshes++);
    connection.onNotification('$/progress', (p: { value: { kind: string } }) => void recorded.progress.push(p.value.kind));
    connection.onNotification(BuildLogNotification.type, (p) => void recorded.logs.push(p.text));
  });
  const { connection } = server;
  await connection.sendRequest('initialize', {
    processId: process.pid, rootUri: null, initializationOptions,
    capabilities: { window: { workDoneProgress: true }, workspace: { inlayHint: { refreshSupport: true } }, textDocument: { inlayHint: {} } },
  });
  await connection.sendNotification('initialized', {});
  return Object.assign(recorded, { connection, stop: async () => void (await server.stop()) });
}

function makeProject(): { dir: string; uri: string; text: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-protocol-build-'));
  writeFileSync(path.join(dir, 'payload.bin'), randomBytes(3000));
  const text = [`FROM ${BASE_IMAGE}`, 'COPY payload.bin /payload.bin', `RUN echo ${randomBytes(4).toString('hex')} > /id.txt`, 'ENV A=1', ''].join('\n');
  writeFileSync(path.join(dir, 'Dockerfile'), text);
  return { dir, uri: pathToFileURL(path.join(dir, 'Dockerfile')).toString(), text };
}

test('an untrusted workspace refuses to build and runs nothing', async () => {
  const project = makeProject();
  // A docker "CLI" that would leave a mark if it ever ran.
  const marker = path.join(project.dir, 'ran');
  const fake = path.join(project.dir, 'docker');
  writeFileSync(fake, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
  const client = await startClient({ trusted: false, settings: { docker: { path: fake } } });
  try {
    const r = await client.connection.sendRequest(BuildRequest.type, { textDocument: { uri: project.uri } });
    assert.equal(r.ok, false);
    assert.match(r.message, /disabled in untrusted workspaces/);
    assert.equal(existsSync(marker), false);
    const ws = await client.connection.sendRequest(WorkspaceRequest.type, { uris: [project.uri] });
    assert.equal(ws.entries[0].layers, 2);
    assert.equal(ws.sharedBytes, null);
    assert.match(ws.sharedNote ?? '', /untrusted/);
  } finally {
    await client.stop();
    rmSync(project.dir, { recursive: true, force: true });
  }
});

test('a trusted workspace builds: log and progress arrive, then layers are measured and hints show sizes', async (t) => {
  const daemon = await requireDaemon();
  if ('skip' in daemon) return void t.skip(daemon.skip);
  await ensureBaseImage(daemon);
  const project = makeProject();
  // A state folder of the test's own: the server records the build there (it reads the variable at start).
  const state = path.join(project.dir, 'state');
  process.env.DOCKERFILE_LAYERS_STATE_DIR = state;
  const client = await startClient({ trusted: false, settings: { builder: 'buildkit', docker: { path: daemon.cli } } });
  delete process.env.DOCKERFILE_LAYERS_STATE_DIR;
  try {
    await client.connection.sendNotification(TrustNotification.type, { trusted: true });
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: project.uri, languageId: 'dockerfile', version: 1, text: project.text } });
    const r = await client.connection.sendRequest(BuildRequest.type, { textDocument: { uri: project.uri } });
    assert.equal(r.ok, true, r.message);
    assert.match(r.imageId ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(client.logs.join(''), /\[2\/3\] COPY payload\.bin \/payload\.bin/);
    assert.deepEqual([client.progress[0], client.progress.at(-1)], ['begin', 'end']);
    assert.ok(client.refreshes >= 1, 'inlay hints were not refreshed');

    const layers = await client.connection.sendRequest(LayersRequest.type, { textDocument: { uri: project.uri } });
    assert.ok(layers?.measured, 'no measured image');
    assert.equal(layers.measured.imageId, r.imageId);
    assert.deepEqual(layers.measured.layers.map((l) => [l.line, l.bytes]), [[1, 3000], [2, 9]]);
    assert.deepEqual(layers.measured.layers[0].largestFiles, [{ path: '/payload.bin', bytes: 3000 }]);
    // The build is recorded: the next build takes both steps from the cache.
    assert.deepEqual(layers.analysis.steps.slice(1, 3).map((s) => [s.size.source, s.size.bytes, s.cache.status]), [['measured', 3000, 'hit'], ['measured', 9, 'hit']]);
    assert.deepEqual(readdirSync(path.join(state, 'baselines')).length, 1, 'one baseline recorded in the state folder');

    const hints = await client.connection.sendRequest<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: project.uri }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } } });
    const labels = hints.map((h) => String(h.label));
    assert.ok(labels.some((l) => l.includes('3.0 kB')), labels.join(' | '));
    assert.ok(labels.some((l) => l.includes('9 B')), labels.join(' | '));

    // An edit elsewhere keeps the unchanged steps' measurements; the edited step loses its own.
    const edited = project.text.replace(/RUN echo \w+/, 'RUN echo changed');
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: project.uri, version: 2 }, contentChanges: [{ text: edited }] });
    const after = await client.connection.sendRequest(LayersRequest.type, { textDocument: { uri: project.uri } });
    // The edited RUN shows its last build's bytes as an estimate (low confidence: its instruction changed).
    assert.deepEqual(after?.analysis.steps.slice(1, 3).map((s) => [s.size.source, s.size.lastBuild, s.size.confidence]), [['measured', undefined, undefined], ['measured', true, 'low']]);
    assert.deepEqual(after?.analysis.steps.slice(1, 3).map((s) => [s.cache.status, s.cache.reason]), [
      ['hit', after.analysis.steps[1].cache.reason], ['miss', 'Instruction changed.'],
    ]);
    assert.deepEqual(after?.analysis.nextBuild?.steps, 1);
  } finally {
    await client.stop();
    rmSync(project.dir, { recursive: true, force: true });
  }
});

test('workspace summary: two Dockerfiles on the same base share its bytes once; an unreadable file says why', async (t) => {
  const daemon = await requireDaemon();
  if ('skip' in daemon) return void t.skip(daemon.skip);
  await ensureBaseImage(daemon);
  const [a, b] = [makeProject(), makeProject()];
  const client = await startClient({ trusted: true, settings: {} });
  try {
    const missing = pathToFileURL(path.join(a.dir, 'Nope.Dockerfile')).toString();
    const ws = await client.connection.sendRequest(WorkspaceRequest.type, { uris: [a.uri, b.uri, missing] });
    const baseBytes = ws.entries[0].baseBytes;
    assert.ok(baseBytes !== null && baseBytes > 1_000_000, `base bytes ${baseBytes}`);
    assert.deepEqual(ws.entries.map((e) => e.base), [BASE_IMAGE, BASE_IMAGE, null]);
    assert.equal(ws.sharedBytes, baseBytes, 'the busybox base has one layer, stored once for two images');
    assert.match(ws.entries[2].error ?? '', /no such file/);
  } finally {
    await client.stop();
    rmSync(a.dir, { recursive: true, force: true });
    rmSync(b.dir, { recursive: true, force: true });
  }
});

test('built elsewhere: a plain docker build of the Dockerfile lets the editor infer each step\'s cache status', async (t) => {
  const daemon = await requireDaemon();
  if ('skip' in daemon) return void t.skip(daemon.skip);
  await ensureBaseImage(daemon);
  const project = makeProject();
  const state = path.join(project.dir, 'state');
  const tag = `dl-protocol/elsewhere:${randomBytes(4).toString('hex')}`;
  try {
    const built = await runProcess(daemon.cli, ['build', '-q', '-t', tag, project.dir], { ...daemon.env, DOCKER_BUILDKIT: '1' });
    assert.equal(built.code, 0, built.stderr);
    process.env.DOCKERFILE_LAYERS_STATE_DIR = state;
    const client = await startClient({ trusted: true, settings: { builder: 'buildkit' } });
    delete process.env.DOCKERFILE_LAYERS_STATE_DIR;
    try {
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: project.uri, languageId: 'dockerfile', version: 1, text: project.text } });
      /** The COPY's and RUN's `source:status`, once both are `want` (or after 20 s, as they then are). */
      const statusesOnce = async (want: string): Promise<string[]> => {
        const until = Date.now() + 20_000;
        for (;;) {
          const layers = await client.connection.sendRequest(LayersRequest.type, { textDocument: { uri: project.uri } });
          const statuses = layers?.analysis.steps.slice(1, 3).map((s) => `${s.cache.source}:${s.cache.status}`) ?? [];
          if (statuses.every((s) => s === want) || Date.now() > until) return statuses;
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      assert.deepEqual(await statusesOnce('inferred:hit'), ['inferred:hit', 'inferred:hit'], 'COPY and RUN inferred cached from the image');
      // A copied file changed after the image was built: its COPY and the RUN after it rerun.
      writeFileSync(path.join(project.dir, 'payload.bin'), randomBytes(3000));
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(project.dir, 'payload.bin')).toString(), type: 2 }] });
      assert.deepEqual(await statusesOnce('inferred:miss'), ['inferred:miss', 'inferred:miss'], 'after the edit');
    } finally {
      await client.stop();
    }
  } finally {
    await runProcess(daemon.cli, ['image', 'rm', '-f', tag], daemon.env);
    rmSync(project.dir, { recursive: true, force: true });
  }
});
