/**
 * The built language server (dist/server.js) as a child process over stdio, for tests that talk LSP to it:
 * spawn, connect, answer the server's own requests as an editor would, and shut it down cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';

/** The bundled server; `DL_SERVER_JS` points elsewhere (e.g. to debug a build). */
export const SERVER = process.env.DL_SERVER_JS ?? path.resolve(__dirname, '../../../dist/server.js');

export interface ServerProcess {
  connection: ProtocolConnection;
  child: ChildProcess;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** shutdown + exit; resolves to the exit code, or null when the server had to be killed. */
  stop(): Promise<number | null>;
}

/**
 * Starts the server and connects. Inlay-hint refreshes, work-done progress creation and diagnostics are
 * answered or ignored by default; `register` adds or replaces handlers before the connection listens.
 */
export function spawnServer(register: (connection: ProtocolConnection) => void = () => undefined): ServerProcess {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`node esbuild.mjs\` first`);
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.onRequest('workspace/inlayHint/refresh', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification('textDocument/publishDiagnostics', () => undefined);
  register(connection);
  connection.listen();
  return { connection, child, stderr: () => stderr, stop: () => stopServer(connection, child) };
}

async function stopServer(connection: ProtocolConnection, child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
  try {
    await withTimeout(connection.sendRequest('shutdown'), 5000, 'shutdown');
    await connection.sendNotification('exit');
    return await withTimeout(exited, 5000, 'exit');
  } catch {
    return null;
  } finally {
    connection.dispose();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Rejects when `p` takes longer than `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
