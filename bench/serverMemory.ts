/**
 * The language server's own resident memory after it indexed a build context: starts the built server
 * (dist/server.js) over stdio with the flags the extension starts it with, opens a Dockerfile whose context is `tree`, waits until its COPY step has an
 * exact size (the scan and fingerprints are done), then reads the server process's VmRSS, at once and after
 * the server has been idle for a while (its context worker threads stop when idle).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { LayersRequest } from '../server/src/protocol';
import { SERVER_EXEC_ARGV } from '../server/src/runtimeFlags';

const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');
const IDLE_MS = 8_000;

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Resolves to the server's RSS in MB right after indexing `tree` and after IDLE_MS of idleness, and the indexing time. */
export async function serverMemoryAfterIndexing(tree: string): Promise<{ indexedMs: number; rssMb: number; idleRssMb: number }> {
  const dockerfile = join(tree, 'Dockerfile');
  writeFileSync(dockerfile, 'FROM scratch\nCOPY . /ctx\n');
  const child = spawn(process.execPath, [...SERVER_EXEC_ARGV, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onRequest('workspace/inlayHint/refresh', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  try {
    const uri = pathToFileURL(dockerfile).toString();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(tree).toString(), capabilities: { window: { workDoneProgress: true } } });
    await connection.sendNotification('initialized', {});
    const t0 = performance.now();
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text: readFileSync(dockerfile, 'utf8') } });
    for (;;) {
      const result = await connection.sendRequest(LayersRequest.type, { textDocument: { uri } });
      const copy = result?.analysis.steps.find((s) => s.keyword === 'COPY');
      if (copy?.size.source === 'exact' && copy.digest) break;
      if (performance.now() - t0 > 300_000) throw new Error('the server did not finish indexing within 5 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    const indexedMs = performance.now() - t0;
    const rssMb = rssMbOf(child.pid ?? 0);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { indexedMs, rssMb, idleRssMb: rssMbOf(child.pid ?? 0) };
  } finally {
    connection.dispose();
    child.kill();
  }
}
