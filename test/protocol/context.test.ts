/**
 * The watcher path through the built server (dist/server.js over stdio): open a Dockerfile whose context
 * has a file, wait for its size in the hints, change the file on disk, report it with
 * workspace/didChangeWatchedFiles, and see the next hints show the new size after an inlay hint refresh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { spawnServer } from './serverProcess';
const EOLS = [['LF', '\n'], ['CRLF', '\r\n']] as const;

/** Starts the server with `folder` as the workspace; counts inlay hint refresh requests. */
async function startServer(folder: string) {
  const state = { refreshes: 0, analysisChanges: 0 };
  const server = spawnServer((connection) => {
    connection.onRequest('workspace/inlayHint/refresh', () => void state.refreshes++);
    connection.onNotification('dockerfileLayers/analysisChanged', () => void state.analysisChanges++);
  });
  const { connection } = server;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(folder).href,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'ws' }],
    capabilities: { workspace: { inlayHint: { refreshSupport: true }, didChangeWatchedFiles: {} }, window: { workDoneProgress: true }, textDocument: { inlayHint: {} } },
  });
  await connection.sendNotification('initialized', {});
  const hints = async (uri: string): Promise<InlayHint[]> =>
    (await connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } })) as InlayHint[];
  return { connection, state, hints, stop: async () => void (await server.stop()) };
}

/** Polls the hint label of `line` until `accept` says yes (the scan runs in the background). */
async function hintOf(hints: (uri: string) => Promise<InlayHint[]>, uri: string, line: number, accept: (label: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  let label = '';
  while (Date.now() < deadline) {
    label = String((await hints(uri)).find((h) => h.position.line === line)?.label ?? '');
    if (accept(label)) return label;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out: the hint of line ${line} is still "${label}"`);
}

for (const [name, eol] of EOLS) {
  test(`context watcher (${name}): a changed file's new size reaches the hints`, async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'dl-watch-'));
    const server = await startServer(folder);
    try {
      writeFileSync(path.join(folder, 'app.txt'), 'a'.repeat(1000));
      const dockerfile = path.join(folder, 'Dockerfile');
      const text = ['FROM alpine', 'COPY app.txt /app/', ''].join(eol);
      writeFileSync(dockerfile, text);
      const uri = pathToFileURL(dockerfile).href;
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
      assert.match(await hintOf(server.hints, uri, 1, (l) => l.includes('kB')), /\+ layer · 1\.0 kB/);

      const refreshesBefore = server.state.refreshes;
      const changesBefore = server.state.analysisChanges;
      writeFileSync(path.join(folder, 'app.txt'), 'b'.repeat(2500));
      await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(folder, 'app.txt')).href, type: 2 }] });
      assert.match(await hintOf(server.hints, uri, 1, (l) => !l.includes('1.0 kB')), /\+ layer · 2\.5 kB/);
      assert.ok(server.state.refreshes > refreshesBefore, 'the server asked the client to refresh its hints');
      assert.ok(server.state.analysisChanges > changesBefore, 'the server told the client (explorer, status bar) that the analysis changed');
    } finally {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
}

test('context watcher, large context: a change waits while the Dockerfile is being typed in, then shows', async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'dl-watch-large-'));
  // Over LARGE_CONTEXT (20,000) entries: 21,000 empty files in 30 folders.
  for (let d = 0; d < 30; d++) {
    mkdirSync(path.join(folder, `d${d}`));
    for (let f = 0; f < 700; f++) writeFileSync(path.join(folder, `d${d}`, `f${f}`), '');
  }
  writeFileSync(path.join(folder, 'app.txt'), 'a'.repeat(1000));
  const server = await startServer(folder);
  try {
    const dockerfile = path.join(folder, 'Dockerfile');
    const text = ['FROM alpine', 'COPY app.txt /app/', ''].join('\n');
    writeFileSync(dockerfile, text);
    const uri = pathToFileURL(dockerfile).href;
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    assert.match(await hintOf(server.hints, uri, 1, (l) => l.includes('kB')), /\+ layer · 1\.0 kB/);

    writeFileSync(path.join(folder, 'app.txt'), 'b'.repeat(2500));
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(folder, 'app.txt')).href, type: 2 }] });
    // Type a comment, a character every 50 ms for a second: the new index waits for a pause of 400 ms.
    const seen: string[] = [];
    for (let version = 2; version < 22; version++) {
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: version === 2 ? '#' : 'x' }] });
      seen.push(String((await server.hints(uri)).find((h) => h.position.line === 1)?.label ?? ''));
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(seen.every((l) => /\+ layer · (1\.0|2\.5) kB/.test(l)), `every hint while typing has a size: ${JSON.stringify(seen)}`);
    assert.match(await hintOf(server.hints, uri, 1, (l) => l.includes('2.5 kB')), /\+ layer · 2\.5 kB/);
  } finally {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});
