/**
 * The language server with a large build context: starts the built server (dist/server.js) over stdio with
 * the flags the extension starts it with, opens a Dockerfile whose context is `tree` (`COPY . /ctx`), waits
 * until its COPY step has an exact size (the scan and fingerprints are done), then reads the server
 * process's VmRSS, at once and after the server has been idle for a while (its context worker threads stop
 * when idle). Then typing: one keystroke every TYPE_GAP_MS, each answered with inlay hints, first alone, then
 * while a file of the context changes; and how soon after typing stops the COPY step has the new size.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { LayersRequest } from '../server/src/protocol';
import { SERVER_EXEC_ARGV } from '../server/src/runtimeFlags';
import { median } from './stats';

const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');
const IDLE_MS = 8_000;
const KEYSTROKES = 30;
const TYPE_GAP_MS = 100;

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Resolves to the server's RSS in MB right after indexing `tree` and after IDLE_MS of idleness, and the indexing time. */
export interface ServerFigures {
  indexedMs: number;
  rssMb: number;
  idleRssMb: number;
  /** Keystroke to inlay hints answer, ms: median and max, with the context unchanged and while a file of it changes. */
  typing: { median: number; max: number };
  typingWhileChanged: { median: number; max: number };
  /** From the last keystroke to the first analysis with the changed file's size, ms. */
  newSizeAfterTypingMs: number;
}

export async function serverMemoryAfterIndexing(tree: string, changedFile: string): Promise<ServerFigures> {
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
    const idleRssMb = rssMbOf(child.pid ?? 0);

    let version = 1;
    const hintsOf = async (): Promise<string> => {
      const hints = await connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } } }) as Array<{ label: string | Array<{ value: string }> }> | null;
      return (hints ?? []).map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''))).join(' | ');
    };
    const keystroke = async (): Promise<number> => {
      version++;
      const start = performance.now();
      await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '#' }] });
      await hintsOf();
      const ms = performance.now() - start;
      await new Promise((r) => setTimeout(r, Math.max(0, TYPE_GAP_MS - ms)));
      return ms;
    };
    const typeFor = async (): Promise<{ median: number; max: number }> => {
      const times: number[] = [];
      for (let i = 0; i < KEYSTROKES; i++) times.push(await keystroke());
      return { median: median(times), max: Math.max(...times) };
    };
    const typing = await typeFor();
    // The hint rounds (1.0 GB either way): the exact bytes come from the layers request.
    const copyBytes = async (): Promise<number | null | undefined> =>
      (await connection.sendRequest(LayersRequest.type, { textDocument: { uri } }))?.analysis.steps.find((s) => s.keyword === 'COPY')?.size.bytes;
    const before = await copyBytes();
    const original = readFileSync(changedFile);
    writeFileSync(changedFile, Buffer.concat([original, Buffer.alloc(4096, 120)]));
    try {
      await connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(changedFile).toString(), type: 2 }] });
      const typingWhileChanged = await typeFor();
      const stopped = performance.now();
      while ((await copyBytes()) === before) {
        if (performance.now() - stopped > 60_000) throw new Error('the new size did not show within a minute');
        await new Promise((r) => setTimeout(r, 5));
      }
      return { indexedMs, rssMb, idleRssMb, typing, typingWhileChanged, newSizeAfterTypingMs: performance.now() - stopped };
    } finally {
      writeFileSync(changedFile, original);
    }
  } finally {
    connection.dispose();
    child.kill();
  }
}
