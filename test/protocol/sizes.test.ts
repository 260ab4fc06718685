/**
 * Base image sizes over the protocol, through the built server (dist/server.js): a registry that never answers
 * or answers garbage never delays a hint, and the FROM line ends up `unknown` with the reason; a local image's
 * size reaches the FROM hint and the layers request; an untrusted workspace looks nothing up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { LayersRequest } from '../../server/src/protocol';
import type { Step } from '../../server/src/core/types';
import { formatBytes } from '../../server/src/core/present';
import { BASE_IMAGE, ensureBaseImage, requireDaemon, runProcess } from '../conformance/docker';
import { spawnServer, type ServerProcess } from './serverProcess';

/** A TCP server on loopback that accepts and then never answers (`silent`) or answers garbage. */
async function fakeRegistry(kind: 'silent' | 'garbage'): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (kind === 'garbage') socket.end('this is not HTTP at all\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

async function start(trusted: boolean, stateDir: string): Promise<ServerProcess> {
  process.env.DOCKERFILE_LAYERS_STATE_DIR = stateDir;
  const server = spawnServer();
  await server.connection.sendRequest('initialize', {
    processId: process.pid, rootUri: null, initializationOptions: { trusted },
    capabilities: { workspace: { inlayHint: { refreshSupport: true } }, textDocument: { inlayHint: {} } },
  });
  await server.connection.sendNotification('initialized', {});
  return server;
}

async function open(server: ServerProcess, name: string, text: string): Promise<string> {
  const uri = `file:///tmp/dl-sizes-${name}/Dockerfile`;
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  return uri;
}

async function hints(server: ServerProcess, uri: string): Promise<{ labels: string[]; ms: number }> {
  const began = performance.now();
  const got = await server.connection.sendRequest<InlayHint[] | null>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } } });
  return { labels: (got ?? []).map((h) => String(h.label)), ms: performance.now() - began };
}

/** Polls the layers request until the FROM step satisfies `done`, for at most `ms`. */
async function fromStep(server: ServerProcess, uri: string, done: (s: Step) => boolean, ms: number): Promise<Step> {
  const until = Date.now() + ms;
  let last: Step | undefined;
  while (Date.now() < until) {
    const r = await server.connection.sendRequest(LayersRequest.type, { textDocument: { uri } });
    last = r?.analysis.steps.find((s) => s.keyword === 'FROM');
    if (last !== undefined && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`the FROM step did not change in ${ms} ms: ${JSON.stringify(last?.size)}`);
}

test('a silent or garbage registry never delays the hints; the FROM size ends up unknown with the reason', { timeout: 60_000 }, async () => {
  const state = mkdtempSync(path.join(tmpdir(), 'dl-sizes-state-'));
  const silent = await fakeRegistry('silent');
  const garbage = await fakeRegistry('garbage');
  const server = await start(true, state);
  try {
    const slowUri = await open(server, 'silent', `FROM 127.0.0.1:${silent.port}/app:1\nRUN true\n`);
    const badUri = await open(server, 'garbage', `FROM 127.0.0.1:${garbage.port}/app:1\nRUN true\n`);
    // The first answers come while the lookups are still under way (the silent one takes its 3 s request bound).
    for (const uri of [slowUri, badUri]) {
      const first = await hints(server, uri);
      assert.ok(first.ms < 1_000, `hints took ${first.ms.toFixed(0)} ms while a registry lookup was pending`);
      assert.equal(first.labels[0], 'stage · in final image');
    }
    const slow = await fromStep(server, slowUri, (s) => /did not answer|took longer/.test(s.size.detail ?? ''), 30_000);
    assert.equal(slow.size.bytes, null);
    const bad = await fromStep(server, badUri, (s) => (s.size.detail ?? '').includes(`127.0.0.1:${garbage.port}`), 30_000);
    assert.equal(bad.size.bytes, null);
    assert.match(bad.size.detail ?? '', /127\.0\.0\.1/);
    // Typing goes on at the same speed once the lookups failed.
    assert.ok((await hints(server, slowUri)).ms < 1_000);
  } finally {
    await server.stop();
    silent.close();
    garbage.close();
    rmSync(state, { recursive: true, force: true });
  }
});

test('untrusted: nothing is looked up, and the FROM line says why', { timeout: 30_000 }, async () => {
  const state = mkdtempSync(path.join(tmpdir(), 'dl-sizes-state-'));
  const silent = await fakeRegistry('silent');
  let connections = 0;
  const probe = net.createServer((s) => { connections++; s.destroy(); });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const server = await start(false, state);
  try {
    const uri = await open(server, 'untrusted', `FROM 127.0.0.1:${(probe.address() as net.AddressInfo).port}/app:1\n`);
    const from = await fromStep(server, uri, (s) => /untrusted/.test(s.size.detail ?? ''), 10_000);
    assert.equal(from.size.bytes, null);
    assert.equal(connections, 0, 'an untrusted workspace contacted the registry');
  } finally {
    await server.stop();
    silent.close();
    probe.close();
    rmSync(state, { recursive: true, force: true });
  }
});

test('a local base image: its exact size on the FROM hint and in the layers request', { timeout: 120_000 }, async (t) => {
  const engine = await requireDaemon();
  if ('skip' in engine) return void t.skip(engine.skip);
  await ensureBaseImage(engine);
  const inspected = await runProcess(engine.cli, ['image', 'inspect', '-f', '{{.Size}}', BASE_IMAGE], engine.env);
  const bytes = Number(inspected.stdout.trim());
  const state = mkdtempSync(path.join(tmpdir(), 'dl-sizes-state-'));
  const host = process.env.DOCKER_HOST;
  if (engine.env.DOCKER_HOST) process.env.DOCKER_HOST = engine.env.DOCKER_HOST;
  const server = await start(true, state);
  try {
    const uri = await open(server, 'local', `FROM ${BASE_IMAGE}\nWORKDIR /app\n`);
    const from = await fromStep(server, uri, (s) => s.size.bytes !== null, 60_000);
    assert.deepEqual([from.size.bytes, from.size.source, from.size.compressed], [bytes, 'base', undefined]);
    assert.equal((await hints(server, uri)).labels[0], `stage · in final image · ${formatBytes(bytes)}`);
    const r = await server.connection.sendRequest(LayersRequest.type, { textDocument: { uri } });
    assert.deepEqual([r?.analysis.totals.base?.bytes, r?.analysis.totals.imageBytes], [bytes, bytes]);
  } finally {
    await server.stop();
    if (host === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = host;
    rmSync(state, { recursive: true, force: true });
  }
});
