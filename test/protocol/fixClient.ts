/**
 * A minimal LSP client for the built server (dist/server.js) over stdio, as the quick-fix tests need it:
 * open a document, wait for its diagnostics, ask for code actions, stop the server cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams, Range, TextEdit } from 'vscode-languageserver-protocol';

/** The built server; DL_SERVER_JS points elsewhere (e.g. a bundle built for a single test run). */
const SERVER = process.env.DL_SERVER_JS ?? path.resolve(__dirname, '../../../dist/server.js');

/** A running server and the diagnostics it published, by document URI. */
export interface FixClient {
  connection: ProtocolConnection;
  child: ChildProcess;
  diagnostics: Map<string, Diagnostic[]>;
  waiters: Map<string, (d: Diagnostic[]) => void>;
}

/** Starts the server and initializes it with `settings` as the `dockerfileLayers` configuration. */
export async function startFixClient(settings: Record<string, unknown> = {}): Promise<FixClient> {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`node esbuild.mjs\` first`);
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const client: FixClient = { connection, child, diagnostics: new Map(), waiters: new Map() };
  connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map((i) => (i.section === 'dockerfileLayers' ? settings : null)));
  connection.onRequest('workspace/inlayHint/refresh', () => null);
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    client.diagnostics.set(p.uri, p.diagnostics);
    client.waiters.get(p.uri)?.(p.diagnostics);
  });
  connection.listen();
  const result = (await connection.sendRequest('initialize', {
    processId: process.pid, rootUri: null, initializationOptions: { settings },
    capabilities: { workspace: { configuration: true }, textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } }, publishDiagnostics: {} } },
  })) as { capabilities: { codeActionProvider?: unknown } };
  assert.ok(result.capabilities.codeActionProvider, 'the server declares codeActionProvider');
  await connection.sendNotification('initialized', {});
  return client;
}

/** Opens a Dockerfile and resolves with its first published diagnostics. */
export function openDocument(client: FixClient, uri: string, text: string): Promise<Diagnostic[]> {
  const published = new Promise<Diagnostic[]>((resolve) => client.waiters.set(uri, resolve));
  void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
  return published;
}

/** Closes a document. */
export async function closeDocument(client: FixClient, uri: string): Promise<void> {
  client.waiters.delete(uri);
  await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
}

/** Requests the code actions for `range` with the diagnostics on it, optionally only of some kinds. */
export async function codeActions(client: FixClient, uri: string, range: Range, only?: string[]): Promise<CodeAction[]> {
  const inRange = (client.diagnostics.get(uri) ?? []).filter((d) => d.range.start.line <= range.end.line && d.range.end.line >= range.start.line);
  const result = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: inRange, only } });
  return (result ?? []) as CodeAction[];
}

/** The text edits a code action's workspace edit makes to `uri`. */
export function editsOf(action: CodeAction, uri: string): TextEdit[] {
  const edits = action.edit?.changes?.[uri];
  assert.ok(edits !== undefined && edits.length > 0, `action "${action.title}" has a workspace edit for ${uri}`);
  return edits;
}

/** Shuts the server down (shutdown, exit) and makes sure the process is gone. */
export async function stopFixClient(client: FixClient): Promise<void> {
  const exited = new Promise<void>((resolve) => (client.child.exitCode !== null ? resolve() : client.child.once('exit', () => resolve())));
  try {
    await client.connection.sendRequest('shutdown');
    await client.connection.sendNotification('exit');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  } finally {
    client.connection.dispose();
    if (client.child.exitCode === null && client.child.signalCode === null) client.child.kill('SIGKILL');
  }
}
