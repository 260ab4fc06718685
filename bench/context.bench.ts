/**
 * Benchmark: the build-context engine on two synthetic trees of 100,000 files (about 1 GB; bench/trees.ts),
 * 100 files to a folder and one file to a folder: the full scan against `du -sb`, `dockerfile-layers analyze`
 * of a `COPY .` end to end (a new CLI process each run) against `du -sb`, full content hashing against
 * `sha256sum` with the same parallelism, the update after one file changes, the resident memory of a process
 * that holds the index, and the language server's memory and keystroke latency.
 * Targets: scan and end-to-end analyze at most 1.5x du's wall time; hashing at least 0.8x sha256sum's
 * throughput; one-file update at most 20 ms; resident memory at most 200 MB.
 * The trees are made once under /tmp/dl-bench-tree and /tmp/dl-bench-tree-folders (or $DL_BENCH_TREE and
 * $DL_BENCH_TREE-folders) and reused; nothing is deleted.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ContextEngine } from '../server/src/context/engine';
import { serverMemoryAfterIndexing } from './serverMemory';
import { median } from './stats';
import { ensureTree, FOLDER_PER_FILE, NESTED } from './trees';

const TREE = process.env.DL_BENCH_TREE ?? '/tmp/dl-bench-tree';
const FOLDERS_TREE = `${TREE}-folders`;
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const PARALLELISM = Math.min(2, availableParallelism());
const run = promisify(execFile);

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await f();
  return [performance.now() - t0, value];
}

/** sha256sum over every file, `PARALLELISM` processes fed by xargs, file names NUL-separated on stdin. */
function sha256sumAll(files: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('xargs', ['-0', '-P', String(PARALLELISM), '-n', '500', 'sha256sum', '--'], { cwd: TREE, stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`xargs sha256sum exited with ${code}`))));
    child.stdin.end(files.join('\0'));
  });
}

function rssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Rounds of du and the measured run, taken in turn so that both see the same machine load. */
const ROUNDS = 7;

/** `du -sb tree` and `f` in ROUNDS alternating runs; the wall times of each in ms. */
async function againstDu<T>(tree: string, f: () => Promise<T>): Promise<{ duRuns: number[]; runs: number[]; last: T }> {
  const duRuns: number[] = [];
  const runs: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    duRuns.push((await timed(() => run('du', ['-sb', tree])))[0]);
    const [ms, value] = await timed(f);
    runs.push(ms);
    last = value;
  }
  return { duRuns, runs, last: last as T };
}

/** One line comparing `runs` with du's: medians, every run, the median ratio and the worst pair. */
function ratioLine(what: string, r: { duRuns: number[]; runs: number[] }): string {
  const ms = (runs: number[]): string => runs.map((x) => x.toFixed(0)).join(' ');
  const [m, d] = [median(r.runs), median(r.duRuns)];
  const worst = Math.max(...r.runs.map((x, i) => x / r.duRuns[i]));
  return `${what}: median ${m.toFixed(0)} ms (runs: ${ms(r.runs)}); du -sb: median ${d.toFixed(0)} ms (runs: ${ms(r.duRuns)}); median ratio ${(m / d).toFixed(2)}x (target <= 1.5x), first ${(r.runs[0] / r.duRuns[0]).toFixed(2)}x, worst pair ${worst.toFixed(2)}x`;
}

/** `node dist/cli.js analyze` of `FROM scratch` + `COPY . /x` with `tree` as the context, as a user runs it; its COPY row. */
function analyzeEndToEnd(tree: string, dockerfile: string): Promise<string> {
  return run(process.execPath, [CLI, 'analyze', dockerfile, '--context', tree], { maxBuffer: 1 << 20 }).then(({ stdout }) => stdout.split('\n').find((l) => l.includes('COPY')) ?? '');
}

/**
 * The scan with sizes only against `du -sb`, in ROUNDS alternating runs (the first of each is kept too: a
 * language server's first scan is a cold one), then sha256sum over the files it found (run twice: the
 * first warms the page cache).
 */
async function scanAndSha256sum(engine: ContextEngine) {
  const { duRuns, runs: scanRuns, last: scanned } = await againstDu(TREE, () => engine.scan(TREE, { limit: 1_000_000, hash: false }));
  const files = [...scanned.entries.values()].filter((e) => e.type === 'file').map((e) => e.path);
  const bytes = [...scanned.entries.values()].reduce((sum, e) => sum + e.size, 0);
  await sha256sumAll(files);
  const [shaMs] = await timed(() => sha256sumAll(files));
  return { duRuns, scanRuns, shaMs, entryCount: scanned.entries.size, bytes, fileCount: files.length };
}

async function main(): Promise<void> {
  ensureTree(TREE, NESTED);
  ensureTree(FOLDERS_TREE, FOLDER_PER_FILE);
  await run('du', ['-sb', TREE]); // Warm the page cache and the dentry cache for both sides alike.
  await run('du', ['-sb', FOLDERS_TREE]);
  const engine = new ContextEngine({ workers: PARALLELISM });
  try {
    // In a function of its own so that this first index is garbage by the time memory is read.
    const { duRuns, scanRuns, shaMs, entryCount, bytes, fileCount } = await scanAndSha256sum(engine);
    engine.forgetHashes();
    const [hashMs, hashed] = await timed(() => engine.scan(TREE, { limit: 1_000_000, hash: true }));
    const missing = [...hashed.entries.values()].filter((e) => e.type === 'file' && e.hash === undefined).length;
    // A rescan that finds every fingerprint remembered: it stats each file for its stamp, reads none.
    const [rescanMs, rescanned] = await timed(() => engine.scan(TREE, { limit: 1_000_000, hash: true }));
    const rehashed = [...rescanned.entries.values()].filter((e) => e.type === 'file' && e.hash !== undefined).length;

    const changed = join(TREE, 'a3', 'b4', 'c5', 'f7.bin');
    const original = readFileSync(changed);
    writeFileSync(`${changed}.tmp`, Buffer.concat([original, Buffer.from('changed\n')]));
    renameSync(`${changed}.tmp`, changed);
    const [updateMs, updated] = await timed(() => engine.refresh(TREE, ['a3/b4/c5/f7.bin']));
    writeFileSync(changed, original); // Leave the tree as it was for the next run.
    const entry = updated.entries.get('a3/b4/c5/f7.bin');
    const rss = rssMb();

    const mb = bytes / 1e6;
    console.log(`tree ${TREE}: ${fileCount} files, ${mb.toFixed(0)} MB, ${entryCount} entries, parallelism ${PARALLELISM}`);
    console.log(ratioLine('scan with sizes', { duRuns, runs: scanRuns }));
    console.log(`hashing: ${(mb / (hashMs / 1000)).toFixed(0)} MB/s (${hashMs.toFixed(0)} ms, ${missing} unhashed); sha256sum -P ${PARALLELISM}: ${(mb / (shaMs / 1000)).toFixed(0)} MB/s (${shaMs.toFixed(0)} ms); throughput ratio ${(shaMs / hashMs).toFixed(2)}x (target >= 0.8x)`);
    console.log(`rescan with every fingerprint remembered: ${rescanMs.toFixed(0)} ms (${rehashed} files fingerprinted, none read)`);
    console.log(`one changed file: ${updateMs.toFixed(1)} ms (target <= 20 ms); new size ${entry?.size} (was ${original.length}), hash ${entry?.hash === undefined ? 'missing' : 'updated'}`);
    console.log(`resident memory of this process after indexing: ${rss.toFixed(0)} MB, worker threads included`);
    const folders = await againstDu(FOLDERS_TREE, () => engine.scan(FOLDERS_TREE, { limit: 1_000_000, hash: false }));
    const folderFiles = [...folders.last.entries.values()].filter((e) => e.type === 'file').length;
    console.log(`tree ${FOLDERS_TREE}: ${folderFiles} files, ${folders.last.entries.size - folderFiles} folders`);
    console.log(ratioLine('scan with sizes', folders));
  } finally {
    await engine.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'dl-bench-e2e-'));
  try {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /x\n');
    for (const tree of [TREE, FOLDERS_TREE]) {
      const e2e = await againstDu(tree, () => analyzeEndToEnd(tree, join(dir, 'Dockerfile')));
      console.log(ratioLine(`analyze end to end on ${tree} (${e2e.last.replace(/\s+/g, ' ').trim()})`, e2e));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const many = await serverMemoryAfterIndexing(FOLDERS_TREE, join(FOLDERS_TREE, 'a7', 'b20', 'c9', 'f0.bin'));
  console.log(`language server with ${FOLDERS_TREE}: indexed in ${many.indexedMs.toFixed(0)} ms; resident memory ${many.rssMb.toFixed(0)} MB right after, ${many.idleRssMb.toFixed(0)} MB after 8 s idle (target <= 200 MB)`);
  const server = await serverMemoryAfterIndexing(TREE, join(TREE, 'a7', 'b2', 'c9', 'f3.bin'));
  console.log(`language server (dist/server.js) with ${TREE}: indexed in ${server.indexedMs.toFixed(0)} ms; its resident memory: ${server.rssMb.toFixed(0)} MB right after, ${server.idleRssMb.toFixed(0)} MB after 8 s idle (target <= 200 MB)`);
  const ms = (t: { median: number; max: number }): string => `median ${t.median.toFixed(1)} ms, max ${t.max.toFixed(1)} ms`;
  console.log(`typing in a Dockerfile with COPY . of this tree (keystroke to inlay hints, 30 keystrokes 100 ms apart): ${ms(server.typing)}; while a file of the tree changes: ${ms(server.typingWhileChanged)}; its new size shown ${server.newSizeAfterTypingMs.toFixed(0)} ms after the last keystroke`);
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
