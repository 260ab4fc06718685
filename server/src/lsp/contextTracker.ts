/**
 * The build context of each open Dockerfile: finds it, scans it (through a ContextEngine), re-reads only the
 * files the editor reports as changed, and keeps the latest index per context folder for the analyses. No LSP
 * here: the context feature wires the connection's notifications to it, and timers come from an injected clock.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ContextIndex } from '../core/context';
import type { Builder } from '../core/types';
import type { ContextEngine } from '../context/engine';
import { locateContext, type LocatedContext } from '../context/locate';
import { readIgnoreFile } from '../context/scan';
import type { ServerSettings } from './settings';

/** Show work-done progress only for scans that take longer than this, in milliseconds. */
export const PROGRESS_AFTER_MS = 300;
/** Changes reported within this many milliseconds are re-read together. */
export const CHANGES_DELAY_MS = 30;
/**
 * A new index of a context with at least LARGE_CONTEXT entries waits until no document changed for QUIET_MS:
 * the first analysis with it goes over the whole file list once per COPY (245-500 ms measured for a `COPY .`
 * of 100,000 files), which must not land between keystrokes. Smaller contexts take well under a millisecond.
 */
export const QUIET_MS = 400;
export const LARGE_CONTEXT = 20_000;
const CONFIG_FILE = /(^|\/)((docker-)?compose[^/]*\.ya?ml|devcontainer\.json|\.devcontainer\.json)$/;

/** A pending timer of a Clock. */
export type Timer = ReturnType<typeof setTimeout>;

/** The time and timers the tracker uses: the system's by default, a fake one in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): Timer;
  clearTimeout(timer: Timer | undefined): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};

/** What the tracker needs of a ContextEngine. */
export type ContextScanner = Pick<ContextEngine, 'scan' | 'refresh' | 'indexOf' | 'forget' | 'close'>;

/** The tracker's view of the editor: documents, folders, settings, and where its news goes. */
export interface TrackerHost {
  /** The uris of the open documents. */
  documents(): string[];
  /** The workspace folders (absolute paths). */
  folders(): string[];
  /** The settings a document is analyzed with. */
  settingsOf(uri: string): ServerSettings;
  /** Analyses changed without an edit (new sizes, a context moved): republish and refresh the views. */
  changed(): void;
  /** Starts progress for a scan still running after PROGRESS_AFTER_MS; `cancel` aborts the scan. */
  startProgress(root: string, cancel: () => void): { done(): void };
  warn(message: string): void;
}

interface RootState {
  index?: ContextIndex;
  /** A newer index waiting for a pause in typing (large contexts only, see QUIET_MS). */
  next?: ContextIndex;
  applyTimer?: Timer;
  generation: number;
  /** The files whose contents alone changed since the index before `next` (null: more changed than that). */
  nextDelta?: string[] | null;
  /** For the current generation: the files whose contents alone changed since the one before. */
  delta?: { generation: number; paths: string[] };
  scan?: AbortController;
  changed: Set<string>;
  timer?: Timer;
}

interface DocState extends LocatedContext {
  dockerfile: string;
  view?: { generation: number; builder: Builder; index: ContextIndex };
}

/** Tracks the build contexts of open Dockerfiles; `createScanner` is called on the first scan (it starts workers). */
export class ContextTracker {
  private scanner: ContextScanner | undefined;
  private readonly roots = new Map<string, RootState>();
  private readonly docs = new Map<string, DocState>();
  private lastEdit = 0;

  constructor(private readonly host: TrackerHost, private readonly createScanner: () => ContextScanner, private readonly clock: Clock = SYSTEM_CLOCK) {}

  /** A document was edited: a large context's new index waits for a pause (QUIET_MS). */
  edited(): void {
    this.lastEdit = this.clock.now();
  }

  /** A document was opened: its context is located and scanned if new. */
  open(uri: string): void {
    this.track(uri);
  }

  /** A document was closed: its context is forgotten when no other open document uses it. */
  close(uri: string): void {
    this.untrack(uri);
  }

  /** Locates every open document's context again (settings changed) and scans new contexts. */
  settingsChanged(): void {
    this.relocate();
  }

  /** Files changed on disk (`uris`): contexts are located again for config files, and changed contexts re-read them. */
  filesChanged(uris: string[]): void {
    const paths = uris.map(pathOf).filter((p): p is string => p !== null);
    if (paths.some((p) => CONFIG_FILE.test(p)) && this.relocate()) this.host.changed();
    for (const [root, state] of this.roots) {
      const inside = paths.filter((p) => p.startsWith(`${root}/`)).map((p) => p.slice(root.length + 1));
      if (inside.length === 0) continue;
      inside.forEach((p) => state.changed.add(p));
      // Before the first scan finishes there is nothing to patch: the scan sees the change itself.
      if (!state.index) continue;
      this.clock.clearTimeout(state.timer);
      state.timer = this.clock.setTimeout(() => void this.refresh(root), CHANGES_DELAY_MS);
    }
  }

  /** A document's context for its analyses: the index, `pending` while the first scan runs, undefined when none. */
  contextOf(uri: string): ContextIndex | 'pending' | undefined {
    const doc = this.docs.get(uri);
    const state = doc && this.roots.get(doc.root);
    if (!doc || !state) return undefined;
    if (!state.index) return 'pending';
    const builder = this.host.settingsOf(uri).analysis.builder;
    if (doc.view?.generation !== state.generation || doc.view.builder !== builder) {
      // Each Dockerfile may have its own `<name>.dockerignore` (BuildKit only); the scanned entries are shared.
      const index: ContextIndex = { ...state.index, ignoreFile: readIgnoreFile(doc.root, doc.dockerfile, builder) };
      // Only file contents changed since this document's last view: what analyses derived from it is patched.
      const before = doc.view;
      if (before && state.delta?.generation === state.generation && before.generation === state.generation - 1 && before.builder === builder
        && before.index.ignoreFile?.text === index.ignoreFile?.text) index.delta = { from: before.index, paths: state.delta.paths };
      doc.view = { generation: state.generation, builder, index };
    }
    return doc.view.index;
  }

  /** Stops the scanner's workers. */
  shutdown(): Promise<void> {
    return this.scanner?.close() ?? Promise.resolve();
  }

  /** Locates every open document's context again; true when one changed (its new context is scanned). */
  private relocate(): boolean {
    return this.host.documents().map((uri) => this.track(uri)).some((moved) => moved);
  }

  /** Finds the context of a document and scans it if new; true when the document's context changed. */
  private track(uri: string): boolean {
    const dockerfile = pathOf(uri);
    if (dockerfile === null) return false;
    const workspace = this.host.folders().find((f) => dockerfile.startsWith(f.endsWith('/') ? f : `${f}/`)) ?? null;
    const settings = this.host.settingsOf(uri);
    const located = locateContext(dockerfile, workspace, settings.context.buildContexts);
    const before = this.docs.get(uri);
    if (before?.root === located.root) {
      before.source = located.source;
      return false;
    }
    if (before) this.untrack(uri);
    // A document whose folder is not on disk (yet) has no context to scan: sizes stay unknown.
    if (!existsSync(located.root)) return before !== undefined;
    this.docs.set(uri, { ...located, dockerfile });
    if (!this.roots.has(located.root)) {
      this.roots.set(located.root, { generation: 0, changed: new Set() });
      void this.scan(located.root, settings.context.maxFiles);
    }
    return true;
  }

  private untrack(uri: string): void {
    const root = this.docs.get(uri)?.root;
    this.docs.delete(uri);
    if (root === undefined || [...this.docs.values()].some((d) => d.root === root)) return;
    const state = this.roots.get(root);
    state?.scan?.abort();
    this.clock.clearTimeout(state?.timer);
    this.clock.clearTimeout(state?.applyTimer);
    this.roots.delete(root);
    this.scanner?.forget(root);
  }

  private async scan(root: string, limit: number): Promise<void> {
    const state = this.roots.get(root)!;
    state.scan?.abort();
    const controller = new AbortController();
    state.scan = controller;
    const progress = this.progressAfter(root, controller);
    try {
      this.scanner ??= this.createScanner();
      const index = await this.scanner.scan(root, { limit, hash: true, signal: controller.signal, onSizes: (i) => this.publish(root, i) });
      if (controller.signal.aborted) return;
      this.publish(root, index);
      // Changes reported while the scan ran may have hit folders it had already listed.
      if (this.roots.get(root)?.changed.size) void this.refresh(root);
    } catch (e) {
      this.host.warn(`Dockerfile Layers: scanning ${root} failed: ${String(e)}`);
      this.publish(root, { root, entries: new Map(), ignoreFile: null, archives: new Map(), problems: [], incomplete: `The build context could not be scanned: ${String(e)}` });
    } finally {
      progress.done();
    }
  }

  private async refresh(root: string): Promise<void> {
    const state = this.roots.get(root);
    // A scan still running sees the changes itself; only a finished one is patched.
    if (!state || !this.scanner?.indexOf(root)) return;
    const paths = [...state.changed];
    state.changed.clear();
    const kept = this.scanner.indexOf(root);
    const wasFile = paths.map((p) => kept?.entries.get(p)?.type === 'file');
    try {
      const index = await this.scanner.refresh(root, paths);
      // Contents alone changed when every path was a file and still is, and no ignore file is among them.
      const contentOnly = paths.every((p, i) => wasFile[i] && index.entries.get(p)?.type === 'file' && !/(^|\/)([^/]*\.)?dockerignore$/.test(p));
      this.publish(root, index, contentOnly ? paths : null);
    } catch (e) {
      this.host.warn(`Dockerfile Layers: re-reading changes in ${root} failed: ${String(e)}`);
    }
  }

  private publish(root: string, index: ContextIndex, delta: string[] | null = null): void {
    const state = this.roots.get(root);
    if (!state) return;
    // Changes that wait together for a pause in typing make one delta; anything else makes none.
    const waiting = state.next === undefined ? [] : state.nextDelta;
    state.nextDelta = delta === null || waiting === null || waiting === undefined ? null : [...waiting, ...delta];
    state.next = index;
    this.apply(root);
  }

  /** Hands the waiting index to analyses now, or after typing pauses when it is large and a document just changed. */
  private apply(root: string): void {
    const state = this.roots.get(root);
    if (!state?.next) return;
    this.clock.clearTimeout(state.applyTimer);
    const wait = state.index !== undefined && state.next.entries.size >= LARGE_CONTEXT ? this.lastEdit + QUIET_MS - this.clock.now() : 0;
    if (wait > 0) {
      state.applyTimer = this.clock.setTimeout(() => this.apply(root), wait);
      return;
    }
    state.index = state.next;
    state.next = undefined;
    state.generation++;
    state.delta = state.nextDelta ? { generation: state.generation, paths: state.nextDelta } : undefined;
    state.nextDelta = undefined;
    this.host.changed();
  }

  /** Starts the host's progress if the scan is still running after PROGRESS_AFTER_MS. */
  private progressAfter(root: string, controller: AbortController): { done(): void } {
    let started: { done(): void } | undefined;
    const timer = this.clock.setTimeout(() => (started = this.host.startProgress(root, () => controller.abort())), PROGRESS_AFTER_MS);
    return {
      done: () => {
        this.clock.clearTimeout(timer);
        started?.done();
      },
    };
  }
}

/** The file path of a `file:` URI, or null for other schemes (untitled documents have no context). */
function pathOf(uri: string): string | null {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : null;
  } catch {
    return null;
  }
}
