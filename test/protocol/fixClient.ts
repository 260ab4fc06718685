/**
 * A minimal LSP client for the built server (dist/server.js) over stdio, as the quick-fix tests need it:
 * open a document, wait for its diagnostics, ask for code actions, stop the server cleanly.
 */
import assert from 'node:assert/strict';
import type { ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams, Range, TextEdit } from 'vscode-languageserver-protocol';
import { spawnServer, type ServerProcess } from './serverProcess';

/** A running server and the diagnostics it published, by document URI. */
export interface FixClient {
  connection: ProtocolConnection;
  server: ServerProcess;
  diagnostics: Map<string, Diagnostic[]>;
  waiters: Map<string, (d: Diagnostic[]) => void>;
}

/** Starts the server and initializes it with `settings` as the `dockerfileLayers` configuration. */
export async function startFixClient(settings: Record<string, unknown> = {}): Promise<FixClient> {
  const diagnostics = new Map<string, Diagnostic[]>();
  const waiters = new Map<string, (d: Diagnostic[]) => void>();
  const server = spawnServer((connection) => {
    connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map((i) => (i.section === 'dockerfileLayers' ? settings : null)));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      diagnostics.set(p.uri, p.diagnostics);
      waiters.get(p.uri)?.(p.diagnostics);
    });
  });
  const { connection } = server;
  const client: FixClient = { connection, server, diagnostics, waiters };
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
  await client.server.stop();
}
