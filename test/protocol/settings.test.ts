/**
 * Settings per document through the built server (dist/server.js over stdio): the client answers
 * workspace/configuration by scopeUri like VS Code does for the folders of a multi-root workspace, and two
 * open Dockerfiles get their own builder, target and build args, also after a configuration change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { LayersRequest } from '../../server/src/protocol';
import { spawnServer } from './serverProcess';

const EOLS = [['LF', '\n'], ['CRLF', '\r\n']] as const;
const DOCKERFILE = ['ARG BASE=alpine:3.20', 'FROM ${BASE} AS build', 'RUN true', 'FROM scratch', 'COPY --from=build /x /x'];
const FOLDERS = { a: 'file:///work/folder-a/', b: 'file:///work/folder-b/' };
const LEGACY_BUILD = { builder: 'legacy', target: 'build', buildArgs: { BASE: 'debian:12' } };

/** What a document's analysis and hints show: builder, target stage, first base image, and the RUN's hint. */
interface Seen {
  builder: string;
  target: number | null;
  base: string;
  run: string;
}

const BUILDKIT_LAST: Seen = { builder: 'buildkit', target: 1, base: 'alpine:3.20', run: '+ layer · ~0 B' };
const LEGACY_FIRST: Seen = { builder: 'legacy', target: 0, base: 'debian:12', run: 'no layer' };

async function startServer(config: Record<string, unknown>) {
  const scopes: Array<string | undefined> = [];
  const server = spawnServer((connection) => {
    connection.onRequest('workspace/configuration', (params: { items: Array<{ scopeUri?: string; section?: string }> }) =>
      params.items.map((item) => {
        scopes.push(item.scopeUri);
        const folder = Object.entries(FOLDERS).find(([, f]) => item.scopeUri?.startsWith(f))?.[0];
        return item.section === 'dockerfileLayers' && folder !== undefined ? config[folder] ?? {} : {};
      }));
  });
  const { connection } = server;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: Object.entries(FOLDERS).map(([name, uri]) => ({ name, uri })),
    capabilities: { workspace: { configuration: true, didChangeConfiguration: {}, inlayHint: { refreshSupport: true } }, textDocument: { inlayHint: {} } },
  });
  await connection.sendNotification('initialized', {});
  const seen = async (uri: string): Promise<Seen | null> => {
    const result = await connection.sendRequest(LayersRequest.type, { textDocument: { uri } });
    const range = { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } };
    const hints = (await connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range })) as InlayHint[];
    if (!result) return null;
    const run = String(hints.find((h) => h.position.line === 2)?.label ?? '');
    return { builder: result.analysis.builder, target: result.analysis.target, base: result.analysis.stages[0]?.base ?? '', run };
  };
  return { connection, scopes, seen, stop: () => server.stop() };
}

/** Polls until `uri` shows `expected` (settings arrive after the document opened). */
async function check(seen: (uri: string) => Promise<Seen | null>, uri: string, expected: Seen): Promise<void> {
  const deadline = Date.now() + 5000;
  let last: Seen | null = null;
  while (Date.now() < deadline) {
    last = await seen(uri);
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(last, expected, uri);
}

for (const [name, eol] of EOLS) {
  test(`two folders' Dockerfiles use their own builder, target and build args (${name})`, async () => {
    const config: Record<string, unknown> = { a: {}, b: LEGACY_BUILD };
    const server = await startServer(config);
    try {
      const uris = { a: `${FOLDERS.a}Dockerfile`, b: `${FOLDERS.b}Dockerfile` };
      const text = DOCKERFILE.join(eol) + eol;
      for (const uri of Object.values(uris)) {
        await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
      }
      await check(server.seen, uris.a, BUILDKIT_LAST);
      await check(server.seen, uris.b, LEGACY_FIRST);
      assert.ok(Object.values(uris).every((uri) => server.scopes.includes(uri)), `each document's settings were asked with its URI: ${JSON.stringify(server.scopes)}`);

      config.a = LEGACY_BUILD;
      config.b = {};
      await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await check(server.seen, uris.a, LEGACY_FIRST);
      await check(server.seen, uris.b, BUILDKIT_LAST);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
}
