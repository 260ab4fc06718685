/**
 * The engine the language server models, over stdio against the built server: a trusted workspace asks the
 * daemon (here Docker 20.10 on the default socket) and its rules apply (a heredoc fails there); an untrusted
 * one never asks and models the default; `dockerfileLayers.engineVersion` wins over both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { requireDaemon } from '../conformance/docker';
import { DEFAULT_ENGINE, shortVersion } from '../../server/src/core/engine';
import { spawnServer, withTimeout } from './serverProcess';

const URI = 'file:///tmp/dl-engine-test/Dockerfile';
const TEXT = 'FROM alpine\nRUN <<EOF\necho hi > /x\nEOF\n';

/** Starts a server, opens TEXT, and resolves once `done` holds for the hover text and the diagnostics. */
async function session(options: unknown, done: (hover: string, diagnostics: Diagnostic[]) => boolean): Promise<{ hover: string; diagnostics: Diagnostic[] }> {
  let diagnostics: Diagnostic[] = [];
  const server = spawnServer((c) => c.onNotification('textDocument/publishDiagnostics', (p: { diagnostics: Diagnostic[] }) => void (diagnostics = p.diagnostics)));
  try {
    await server.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, initializationOptions: options, capabilities: {} });
    await server.connection.sendNotification('initialized', {});
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'dockerfile', version: 1, text: TEXT } });
    const until = Date.now() + 10_000;
    for (;;) {
      const h = await withTimeout(server.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 1, character: 1 } }), 5000, 'hover') as { contents: { value: string } } | null;
      const hover = h?.contents.value ?? '';
      if (done(hover, diagnostics)) return { hover, diagnostics };
      if (Date.now() > until) assert.fail(`no answer as expected: hover ${JSON.stringify(hover)}, diagnostics ${JSON.stringify(diagnostics.map((d) => d.message))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await server.stop();
  }
}

test('a trusted workspace models the daemon\'s engine; its rules reach hovers and diagnostics', async (t) => {
  const daemon = await requireDaemon();
  if ('skip' in daemon) return void t.skip(daemon.skip);
  const version = shortVersion(daemon.serverVersion);
  const r = await session({ trusted: true }, (hover) => hover.includes('from the daemon'));
  assert.match(r.hover, new RegExp(`\\*\\*RUN\\*\\* adds a layer \\(BuildKit [\\d.]+ · Docker ${version.replace('.', '\\.')}, from the daemon\\)`));
  if (version === '20.10') {
    const d = await session({ trusted: true }, (_, diagnostics) => diagnostics.some((x) => x.code === 'needs-syntax'));
    assert.match(String(d.diagnostics.find((x) => x.code === 'needs-syntax')!.message), /BuildKit in Docker 20\.10 does not support RUN with a heredoc: the build fails/);
  }
});

test('an untrusted workspace models the default engine; the setting models another', async () => {
  const untrusted = await session({ trusted: false }, (hover) => hover !== '');
  assert.match(untrusted.hover, new RegExp(`Docker ${DEFAULT_ENGINE.version.replace('.', '\\.')}, the default engine\\)`));
  assert.deepEqual(untrusted.diagnostics.filter((d) => d.code === 'needs-syntax'), []);
  const set = await session({ trusted: false, settings: { engineVersion: '20.10.24' } }, (hover, diagnostics) => hover !== '' && diagnostics.length > 0);
  assert.match(set.hover, /\(BuildKit 0\.8 · Docker 20\.10, from dockerfileLayers\.engineVersion\)/);
  assert.equal(set.diagnostics.filter((d) => d.code === 'needs-syntax').length, 1);
});
