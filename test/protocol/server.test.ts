/**
 * The built language server (dist/server.js) as a real child process over stdio: what unit tests cannot show,
 * i.e. that the wiring, the message shapes, the configuration pull and the refresh request all work.
 * Each Dockerfile is checked with `\n` and `\r\n` line ends.
 */
import { bundledBuildkit, DEFAULT_ENGINE } from '../../server/src/core/engine';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { Diagnostic, Hover, InlayHint, MarkupContent, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LayersRequest, type LayersResult } from '../../server/src/protocol';
import { spawnServer, type ServerProcess } from './serverProcess';

const EOLS = [['LF', '\n'], ['CRLF', '\r\n']] as const;

/** A minimal LSP client around the server process, answering the server's requests like VS Code would. */
interface TestClient {
  connection: ProtocolConnection;
  server: ServerProcess;
  /** What the client answers to `workspace/configuration` for the section `dockerfileLayers`. */
  config: Record<string, unknown>;
  configurationPulls: number;
  refreshes: number;
  diagnostics: Map<string, PublishDiagnosticsParams[]>;
}

async function startClient(options: { pullConfiguration: boolean; initializationOptions?: unknown }): Promise<TestClient> {
  const client = { config: {}, configurationPulls: 0, refreshes: 0, diagnostics: new Map() } as Omit<TestClient, 'connection' | 'server'>;
  const server = spawnServer((connection) => {
    connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) => {
      client.configurationPulls++;
      return params.items.map((item) => (item.section === 'dockerfileLayers' ? client.config : null));
    });
    connection.onRequest('workspace/inlayHint/refresh', () => {
      client.refreshes++;
      return null;
    });
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.diagnostics.set(p.uri, [...(client.diagnostics.get(p.uri) ?? []), p]);
    });
  });
  const { connection } = server;
  const result = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: options.pullConfiguration, didChangeConfiguration: { dynamicRegistration: false }, inlayHint: { refreshSupport: true } },
      textDocument: { hover: { contentFormat: ['markdown'] }, inlayHint: {}, synchronization: {}, publishDiagnostics: {} },
    },
    initializationOptions: options.initializationOptions,
  });
  assert.ok((result as { capabilities: { inlayHintProvider?: unknown } }).capabilities.inlayHintProvider);
  await connection.sendNotification('initialized', {});
  return Object.assign(client, { connection, server });
}

/** Shuts the server down as LSP says (shutdown, exit) and checks it exits with code 0. */
async function stopClient(client: TestClient): Promise<void> {
  assert.equal(await client.server.stop(), 0, `server exit code; stderr: ${client.server.stderr()}`);
}

/** Polls until `get` returns a value other than undefined (the server answers within a few hundred ms). */
async function waitFor<T>(get: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let documentCount = 0;

/** Opens `lines` joined with `eol` as a new document; returns its uri and text. */
async function open(client: TestClient, lines: string[], eol: string): Promise<{ uri: string; text: string }> {
  const uri = `file:///work/doc${++documentCount}/Dockerfile`;
  const text = lines.join(eol) + eol;
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  return { uri, text };
}

async function inlayHints(client: TestClient, uri: string): Promise<InlayHint[]> {
  const range = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };
  return (await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range })) as InlayHint[];
}

/** Checks the hints: one per `expected` entry (0-based line -> label), placed at the end of that line. */
async function checkHints(client: TestClient, uri: string, lines: string[], expected: Record<number, string>): Promise<void> {
  const hints = await inlayHints(client, uri);
  const actual = Object.fromEntries(hints.map((h) => [h.position.line, h.label]));
  assert.deepEqual(actual, expected);
  for (const h of hints) assert.deepEqual(h.position, { line: h.position.line, character: lines[h.position.line].length });
}

async function checkHover(client: TestClient, uri: string, line: number, expected: string[]): Promise<void> {
  const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: 1 } })) as Hover | null;
  assert.ok(hover, `a hover on line ${line}`);
  const markdown = (hover.contents as MarkupContent).value;
  assert.equal((hover.contents as MarkupContent).kind, 'markdown');
  for (const e of expected) assert.ok(markdown.includes(e), `hover on line ${line} mentions ${JSON.stringify(e)}:\n${markdown}`);
}

async function layers(client: TestClient, uri: string): Promise<LayersResult | null> {
  return client.connection.sendRequest(LayersRequest.type, { textDocument: { uri } });
}

/** The latest diagnostics published for `uri` once `accept` likes them. */
function diagnosticsOf(client: TestClient, uri: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
  return waitFor(() => {
    const all = client.diagnostics.get(uri);
    const last = all?.[all.length - 1]?.diagnostics;
    return last && accept(last) ? last : undefined;
  }, `diagnostics for ${uri}`);
}

const MULTI_STAGE = [
  '# syntax=docker/dockerfile:1',
  'FROM alpine:3.20 AS build',
  'ENV GREETING=hello',
  'RUN apk add --no-cache build-base \\',
  '  && make',
  'RUN true',
  'WORKDIR /src',
  'FROM scratch',
  'COPY --from=build /src/app /app',
  'CMD ["/app"]',
];

/** Hints for MULTI_STAGE by line, for each builder. */
/** How hovers name the model when no daemon is asked (the test client is not trusted). */
const DEFAULT_MODEL = `BuildKit ${bundledBuildkit(DEFAULT_ENGINE.version)} · Docker ${DEFAULT_ENGINE.version}, the default engine`;

const MULTI_STAGE_HINTS = {
  buildkit: { 1: 'stage not in final image', 2: 'no layer · metadata', 4: '+ layer', 5: '+ layer · ~0 B', 6: '+ layer · 0 B', 7: 'stage · in final image', 8: '+ layer', 9: 'no layer · metadata' },
  legacy: { 1: 'stage not in final image', 2: 'no layer · metadata', 4: '+ layer', 5: 'no layer', 6: '+ layer? · 0 B', 7: 'stage · in final image', 8: '+ layer', 9: 'no layer · metadata' },
};

describe('language server over stdio (configuration pulled)', () => {
  let client: TestClient;
  before(async () => {
    client = await startClient({ pullConfiguration: true });
    await waitFor(() => (client.configurationPulls > 0 ? true : undefined), 'the configuration pull after initialized');
  });
  after(async () => stopClient(client));

  for (const [name, eol] of EOLS) {
    it(`inlay hints sit at the end of each instruction's last line (${name})`, async () => {
      const { uri } = await open(client, MULTI_STAGE, eol);
      await checkHints(client, uri, MULTI_STAGE, MULTI_STAGE_HINTS.buildkit);
    });

    it(`hover names the builder, the stage and the verdict (${name})`, async () => {
      const { uri } = await open(client, MULTI_STAGE, eol);
      await checkHover(client, uri, 3, [`**RUN** adds a layer (${DEFAULT_MODEL})`, 'Stage **build** (#0, FROM alpine:3.20)']);
      await checkHover(client, uri, 4, [`**RUN** adds a layer (${DEFAULT_MODEL})`]);
      await checkHover(client, uri, 2, [`**ENV** adds no layer (${DEFAULT_MODEL})`, 'Stage **build**']);
      await checkHover(client, uri, 8, [`**COPY** adds a layer (${DEFAULT_MODEL})`, 'Stage **#1** (#1, FROM scratch)', 'The build target']);
      const comment = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
      assert.equal(comment, null);
    });

    it(`dockerfileLayers/layers returns steps, stages and the target (${name})`, async () => {
      const { uri } = await open(client, MULTI_STAGE, eol);
      const result = await layers(client, uri);
      assert.ok(result);
      assert.equal(result.uri, uri);
      assert.equal(result.version, 1);
      const { analysis } = result;
      assert.equal(analysis.builder, 'buildkit');
      assert.equal(analysis.target, 1);
      assert.deepEqual(analysis.stages.map((s) => [s.index, s.name, s.base, s.line, s.inTarget, s.inFinalImage, s.built]), [
        [0, 'build', 'alpine:3.20', 1, true, false, true],
        [1, null, 'scratch', 7, true, true, true],
      ]);
      assert.deepEqual(analysis.steps.map((s) => [s.keyword, s.line, s.endLine, s.stage, s.layer]), [
        ['FROM', 1, 1, 0, 'no'], ['ENV', 2, 2, 0, 'no'], ['RUN', 3, 4, 0, 'yes'], ['RUN', 5, 5, 0, 'yes'],
        ['WORKDIR', 6, 6, 0, 'yes'], ['FROM', 7, 7, 1, 'no'], ['COPY', 8, 8, 1, 'yes'], ['CMD', 9, 9, 1, 'no'],
      ]);
      assert.equal(analysis.steps[2].endColumn, MULTI_STAGE[4].length);
      const t = analysis.totals;
      assert.deepEqual({ layers: t.layers, maybeLayers: t.maybeLayers, bytes: t.bytes, imageBytes: t.imageBytes }, { layers: 1, maybeLayers: 0, bytes: null, imageBytes: null });
    });

    it(`an unknown instruction is published as an error diagnostic (${name})`, async () => {
      const lines = ['FROM alpine', 'FOO bar', 'RUN true'];
      const { uri } = await open(client, lines, eol);
      const diagnostics = await diagnosticsOf(client, uri, (d) => d.length > 0);
      assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.source]), [['unknown-instruction', 1, 1, 'dockerfile-layers']]);
      assert.match(diagnostics[0].message as string, /Unknown instruction FOO/);
    });

    it(`incremental edits move the hints and republish diagnostics (${name})`, async () => {
      const lines = ['FROM alpine', 'FOO bar', 'RUN true'];
      const { uri } = await open(client, lines, eol);
      await diagnosticsOf(client, uri, (d) => d.length === 1);
      // Replace `FOO bar` by `ENV A=1` and insert a RUN line after the first line.
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [
          { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 7 } }, text: 'ENV A=1' },
          { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: `RUN make${eol}` },
        ],
      });
      const edited = ['FROM alpine', 'RUN make', 'ENV A=1', 'RUN true'];
      await checkHints(client, uri, edited, { 0: 'stage · in final image', 1: '+ layer', 2: 'no layer · metadata', 3: '+ layer · ~0 B' });
      assert.equal((await layers(client, uri))?.version, 2);
      await diagnosticsOf(client, uri, (d) => d.length === 0);
    });
  }

  it('a configuration change is pulled, republished and followed by an inlay hint refresh', async () => {
    const docs = await Promise.all(EOLS.map(([, eol]) => open(client, MULTI_STAGE, eol)));
    for (const { uri } of docs) await checkHints(client, uri, MULTI_STAGE, MULTI_STAGE_HINTS.buildkit);
    const pulls = client.configurationPulls;
    const refreshes = client.refreshes;
    client.config = { builder: 'legacy' };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await waitFor(() => (client.refreshes > refreshes ? true : undefined), 'workspace/inlayHint/refresh');
    assert.equal(client.configurationPulls, pulls + 1);
    for (const { uri } of docs) {
      await checkHints(client, uri, MULTI_STAGE, MULTI_STAGE_HINTS.legacy);
      await checkHover(client, uri, 5, [`**RUN** adds no layer (legacy builder · Docker ${DEFAULT_ENGINE.version}, the default engine)`, 'Stage **build**']);
      assert.equal((await layers(client, uri))?.analysis.builder, 'legacy');
    }
    client.config = { builder: 'buildkit', inlayHints: { enabled: false } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await waitFor(() => (client.refreshes > refreshes + 1 ? true : undefined), 'the second refresh');
    assert.deepEqual(await inlayHints(client, docs[0].uri), []);
    client.config = {};
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await waitFor(() => (client.refreshes > refreshes + 2 ? true : undefined), 'the third refresh');
    await checkHints(client, docs[0].uri, MULTI_STAGE, MULTI_STAGE_HINTS.buildkit);
  });

  it('closing a document clears its diagnostics and forgets it', async () => {
    const { uri } = await open(client, ['FROM alpine', 'FOO bar'], '\n');
    await diagnosticsOf(client, uri, (d) => d.length === 1);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await diagnosticsOf(client, uri, (d) => d.length === 0);
    assert.equal(await layers(client, uri), null);
    assert.deepEqual(await inlayHints(client, uri), []);
  });
});

describe('language server over stdio (settings from initializationOptions)', () => {
  let client: TestClient;
  before(async () => {
    client = await startClient({ pullConfiguration: false, initializationOptions: { settings: { builder: 'legacy' } } });
  });
  after(async () => stopClient(client));

  for (const [name, eol] of EOLS) {
    it(`the legacy setting drops no-op steps (${name})`, async () => {
      const { uri } = await open(client, MULTI_STAGE, eol);
      await checkHints(client, uri, MULTI_STAGE, MULTI_STAGE_HINTS.legacy);
      assert.equal(client.configurationPulls, 0);
    });
  }

  it('inlay hints can be turned off in initializationOptions', async () => {
    const off = await startClient({ pullConfiguration: false, initializationOptions: { settings: { inlayHints: { enabled: false } } } });
    try {
      const { uri } = await open(off, MULTI_STAGE, '\n');
      assert.deepEqual(await inlayHints(off, uri), []);
      assert.equal((await layers(off, uri))?.analysis.builder, 'buildkit');
    } finally {
      await stopClient(off);
    }
  });
});
