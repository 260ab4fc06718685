/**
 * The context tracker's timing, driven by a fake clock and a fake scanner whose scans finish when the test
 * says: progress only for slow scans, changes re-read together, and large new indexes held back while typing.
 * Dockerfiles live in a temporary folder (the tracker locates contexts on disk).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContextEntry, ContextIndex } from '../../server/src/core/context';
import type { EngineScanOptions } from '../../server/src/context/engine';
import {
  CHANGES_DELAY_MS, ContextTracker, LARGE_CONTEXT, PROGRESS_AFTER_MS, QUIET_MS, type Clock, type ContextScanner, type Timer,
} from '../../server/src/lsp/contextTracker';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';

/** Time that moves only when the test advances it; due timers fire in order. */
class FakeClock implements Clock {
  private time = 1_000;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  now = (): number => this.time;
  setTimeout = (callback: () => void, ms: number): Timer => {
    this.timers.set(this.nextId, { at: this.time + ms, callback });
    return this.nextId++ as unknown as Timer;
  };
  clearTimeout = (timer: Timer | undefined): void => void this.timers.delete(timer as unknown as number);
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const [id, due] = [...this.timers].filter(([, t]) => t.at <= end).sort(([, a], [, b]) => a.at - b.at)[0] ?? [];
      if (id === undefined || due === undefined) break;
      this.timers.delete(id);
      this.time = due.at;
      due.callback();
    }
    this.time = end;
  }
}

/** A scanner whose scans wait for `finish`; refreshes answer at once with an index of the given size. */
class FakeScanner implements ContextScanner {
  readonly scans: Array<{ root: string; options: EngineScanOptions; finish(entries: number): void }> = [];
  readonly refreshes: string[][] = [];
  readonly forgotten: string[] = [];
  refreshSize = 1;
  private readonly kept = new Map<string, ContextIndex>();
  scan(root: string, options: EngineScanOptions): Promise<ContextIndex> {
    return new Promise((resolve) => this.scans.push({ root, options, finish: (n) => resolve(this.keep(root, n)) }));
  }
  async refresh(root: string, paths: string[]): Promise<ContextIndex> {
    this.refreshes.push(paths);
    return this.keep(root, this.refreshSize);
  }
  indexOf = (root: string): ContextIndex | undefined => this.kept.get(root);
  forget = (root: string): void => void this.forgotten.push(root);
  close = async (): Promise<void> => undefined;
  private keep(root: string, n: number): ContextIndex {
    const entries = new Map<string, ContextEntry>(Array.from({ length: n }, (_, i) => [`f${i}`, { path: `f${i}`, type: 'file', size: 1, mode: 0o644 }]));
    const index = { root, entries, ignoreFile: null, archives: new Map(), problems: [] };
    this.kept.set(root, index);
    return index;
  }
}

/** A tracker with one open Dockerfile in a new folder; counts changes and progress reports. */
function setup() {
  const folder = mkdtempSync(path.join(tmpdir(), 'dl-tracker-'));
  writeFileSync(path.join(folder, 'Dockerfile'), 'FROM alpine\nCOPY . /app\n');
  const uri = pathToFileURL(path.join(folder, 'Dockerfile')).href;
  const clock = new FakeClock();
  const scanner = new FakeScanner();
  const seen = { changes: 0, progress: [] as string[], cancel: () => undefined as void };
  const tracker = new ContextTracker({
    documents: () => [uri], folders: () => [folder], settingsOf: () => DEFAULT_SETTINGS, warn: () => undefined,
    changed: () => void seen.changes++,
    startProgress: (root, cancel) => (seen.progress.push(`begin ${root}`), (seen.cancel = cancel), { done: () => void seen.progress.push('done') }),
  }, () => scanner, clock);
  tracker.open(uri);
  const fileUri = (name: string): string => pathToFileURL(path.join(folder, name)).href;
  return { folder, uri, clock, scanner, seen, tracker, fileUri, cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Lets the fake scanner's promises settle. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Tracked = ReturnType<typeof setup>;

/** Runs `body` with a new tracker (its first scan finished with `entries`, or still running when null), then cleans up. */
async function withTracker(entries: number | null, body: (s: Tracked) => Promise<void> | void): Promise<void> {
  const s = setup();
  try {
    if (entries !== null) {
      s.scanner.scans[0].finish(entries);
      await settle();
    }
    await body(s);
  } finally {
    s.cleanup();
  }
}

const sizeOf = (s: Tracked): number | string | undefined => {
  const c = s.tracker.contextOf(s.uri);
  return typeof c === 'object' ? c.entries.size : c;
};

test('a scan shows progress only after PROGRESS_AFTER_MS; the document is pending until it ends', async () => {
  for (const [ms, progress] of [[PROGRESS_AFTER_MS - 1, []], [PROGRESS_AFTER_MS, ['begin', 'done']]] as const) {
    await withTracker(null, async (s) => {
      assert.equal(s.scanner.scans.length, 1);
      assert.equal(s.scanner.scans[0].options.limit, DEFAULT_SETTINGS.context.maxFiles);
      s.clock.advance(ms);
      assert.equal(sizeOf(s), 'pending');
      s.scanner.scans[0].finish(3);
      await settle();
      assert.deepEqual(s.seen.progress.map((p) => p.split(' ')[0]), progress);
      assert.equal(sizeOf(s), 3);
      assert.equal(s.seen.changes, 1);
      s.clock.advance(PROGRESS_AFTER_MS);
      assert.deepEqual(s.seen.progress.map((p) => p.split(' ')[0]), progress, 'no progress after the scan ended');
    });
  }
});

test('cancelling the progress aborts the scan', () => withTracker(null, (s) => {
  s.clock.advance(PROGRESS_AFTER_MS);
  s.seen.cancel();
  assert.equal(s.scanner.scans[0].options.signal?.aborted, true);
}));

test('changes reported within CHANGES_DELAY_MS are re-read together, in one refresh', () => withTracker(1, async (s) => {
  s.tracker.filesChanged([s.fileUri('a.txt')]);
  s.clock.advance(CHANGES_DELAY_MS - 1);
  s.tracker.filesChanged([s.fileUri('b.txt'), 'untitled:Untitled-1', pathToFileURL('/elsewhere/c.txt').href]);
  s.clock.advance(CHANGES_DELAY_MS - 1);
  assert.deepEqual(s.scanner.refreshes, []);
  s.clock.advance(1);
  assert.deepEqual(s.scanner.refreshes, [['a.txt', 'b.txt']]);
  await settle();
  assert.equal(s.seen.changes, 2);
}));

test('a large new index waits until typing pauses for QUIET_MS; a small one is used at once', async () => {
  const small = LARGE_CONTEXT - 1;
  for (const [size, expected] of [[LARGE_CONTEXT, [1, 1, 1, LARGE_CONTEXT]], [small, [small, small, small, small]]] as const) {
    await withTracker(1, async (s) => {
      s.scanner.refreshSize = size;
      s.tracker.edited();
      s.tracker.filesChanged([s.fileUri('a.txt')]);
      s.clock.advance(CHANGES_DELAY_MS);
      await settle();
      const sizes = [sizeOf(s)];
      s.clock.advance(QUIET_MS - CHANGES_DELAY_MS - 1);
      s.tracker.edited();
      sizes.push(sizeOf(s));
      s.clock.advance(QUIET_MS - 1);
      sizes.push(sizeOf(s));
      s.clock.advance(1);
      sizes.push(sizeOf(s));
      assert.deepEqual(sizes, expected, `${size} entries`);
    });
  }
});

test('closing the last document of a context forgets it and drops its pending re-read', () => withTracker(1, (s) => {
  s.tracker.filesChanged([s.fileUri('a.txt')]);
  s.tracker.close(s.uri);
  s.clock.advance(CHANGES_DELAY_MS);
  assert.deepEqual(s.scanner.refreshes, []);
  assert.deepEqual(s.scanner.forgotten, [s.folder]);
  assert.equal(s.tracker.contextOf(s.uri), undefined);
}));
