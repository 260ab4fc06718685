/**
 * The build context of each open Dockerfile: finds it, scans it off the main thread (ContextEngine's
 * workers), re-reads only the files the editor reports as changed, and hands the latest index to the store.
 * Hints show `sizing…` until the first scan is done and are refreshed whenever sizes change.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import type { ContextIndex } from '../../core/context';
import type { Builder } from '../../core/types';
import { ContextEngine } from '../../context/engine';
import { locateContext, type LocatedContext } from '../../context/locate';
import { readIgnoreFile } from '../../context/scan';
import type { AnalysisStore } from '../store';
import { refreshViews } from '../refresh';

/** Show work-done progress only for scans that take longer than this, in milliseconds. */
const PROGRESS_AFTER_MS = 300;
/** Changes reported within this many milliseconds are re-read together. */
const CHANGES_DELAY_MS = 30;
/**
 * A new index of a context with at least LARGE_CONTEXT entries waits until no document changed for QUIET_MS:
 * the first analysis with it goes over the whole file list once per COPY (245-500 ms measured for a `COPY .`
 * of 100,000 files), which must not land between keystrokes. Smaller contexts take well under a millisecond.
 */
const QUIET_MS = 400;
const LARGE_CONTEXT = 20_000;
const CONFIG_FILE = /(^|\/)((docker-)?compose[^/]*\.ya?ml|devcontainer\.json|\.devcontainer\.json)$/;

interface RootState {
  index?: ContextIndex;
  /** A newer index waiting for a pause in typing (large contexts only, see QUIET_MS). */
  next?: ContextIndex;
  applyTimer?: NodeJS.Timeout;
  generation: number;
  scan?: AbortController;
  changed: Set<string>;
  timer?: NodeJS.Timeout;
}

interface DocState extends LocatedContext {
  dockerfile: string;
  view?: { generation: number; builder: Builder; index: ContextIndex };
}

export interface ContextFeature {
  /** Locates every open document's context again (settings changed) and scans new contexts. */
  settingsChanged(): void;
}

/** Registers the context feature; `folders` gives the workspace folders (absolute), `republish` refreshes diagnostics. */
export function registerContext(connection: Connection, store: AnalysisStore, folders: () => string[], republish: () => void): ContextFeature {
  let engine: ContextEngine | undefined;
  const roots = new Map<string, RootState>();
  const docs = new Map<string, DocState>();

  const changed = (): void => {
    republish();
    refreshViews(connection, null);
  };

  let lastEdit = 0;
  store.documents.onDidChangeContent(() => (lastEdit = Date.now()));

  const publish = (root: string, index: ContextIndex): void => {
    const state = roots.get(root);
    if (!state) return;
    state.next = index;
    apply(root);
  };

  /** Hands the waiting index to analyses now, or after typing pauses when it is large and a document just changed. */
  const apply = (root: string): void => {
    const state = roots.get(root);
    if (!state?.next) return;
    clearTimeout(state.applyTimer);
    const wait = state.index !== undefined && state.next.entries.size >= LARGE_CONTEXT ? lastEdit + QUIET_MS - Date.now() : 0;
    if (wait > 0) {
      state.applyTimer = setTimeout(() => apply(root), wait);
      return;
    }
    state.index = state.next;
    state.next = undefined;
    state.generation++;
    changed();
  };

  const scan = async (root: string): Promise<void> => {
    const state = roots.get(root)!;
    state.scan?.abort();
    const controller = new AbortController();
    state.scan = controller;
    const progress = progressAfter(connection, PROGRESS_AFTER_MS, root, controller);
    try {
      engine ??= new ContextEngine();
      const options = { limit: store.settings.context.maxFiles, hash: true, signal: controller.signal, onSizes: (i: ContextIndex) => publish(root, i) };
      const index = await engine.scan(root, options);
      if (controller.signal.aborted) return;
      publish(root, index);
      // Changes reported while the scan ran may have hit folders it had already listed.
      if (roots.get(root)?.changed.size) void refresh(root);
    } catch (e) {
      connection.console.warn(`Dockerfile Layers: scanning ${root} failed: ${String(e)}`);
      publish(root, { root, entries: new Map(), ignoreFile: null, archives: new Map(), problems: [], incomplete: `The build context could not be scanned: ${String(e)}` });
    } finally {
      progress.done();
    }
  };

  /** Finds the context of a document and scans it if new; true when the document's context changed. */
  const track = (uri: string): boolean => {
    const dockerfile = pathOf(uri);
    if (dockerfile === null) return false;
    const workspace = folders().find((f) => dockerfile.startsWith(f.endsWith('/') ? f : `${f}/`)) ?? null;
    const located = locateContext(dockerfile, workspace, store.settings.context.buildContexts);
    const before = docs.get(uri);
    if (before?.root === located.root) {
      before.source = located.source;
      return false;
    }
    if (before) untrack(uri);
    // A document whose folder is not on disk (yet) has no context to scan: sizes stay unknown.
    if (!existsSync(located.root)) return before !== undefined;
    docs.set(uri, { ...located, dockerfile });
    if (!roots.has(located.root)) {
      roots.set(located.root, { generation: 0, changed: new Set() });
      void scan(located.root);
    }
    return true;
  };

  const untrack = (uri: string): void => {
    const root = docs.get(uri)?.root;
    docs.delete(uri);
    if (root === undefined || [...docs.values()].some((d) => d.root === root)) return;
    const state = roots.get(root);
    state?.scan?.abort();
    clearTimeout(state?.timer);
    clearTimeout(state?.applyTimer);
    roots.delete(root);
    engine?.forget(root);
  };

  store.contextOf = (uri) => {
    const doc = docs.get(uri);
    const state = doc && roots.get(doc.root);
    if (!doc || !state) return undefined;
    if (!state.index) return 'pending';
    const builder = store.settings.analysis.builder;
    if (doc.view?.generation !== state.generation || doc.view.builder !== builder) {
      // Each Dockerfile may have its own `<name>.dockerignore` (BuildKit only); the scanned entries are shared.
      doc.view = { generation: state.generation, builder, index: { ...state.index, ignoreFile: readIgnoreFile(doc.root, doc.dockerfile, builder) } };
    }
    return doc.view.index;
  };

  const refresh = async (root: string): Promise<void> => {
    const state = roots.get(root);
    // A scan still running sees the changes itself; only a finished one is patched.
    if (!state || !engine?.indexOf(root)) return;
    const paths = [...state.changed];
    state.changed.clear();
    try {
      publish(root, await engine.refresh(root, paths));
    } catch (e) {
      connection.console.warn(`Dockerfile Layers: re-reading changes in ${root} failed: ${String(e)}`);
    }
  };

  connection.onDidChangeWatchedFiles(({ changes }) => {
    const paths = changes.map((c) => pathOf(c.uri)).filter((p): p is string => p !== null);
    if (paths.some((p) => CONFIG_FILE.test(p)) && relocate()) changed();
    for (const [root, state] of roots) {
      const inside = paths.filter((p) => p.startsWith(`${root}/`)).map((p) => p.slice(root.length + 1));
      if (inside.length === 0) continue;
      inside.forEach((p) => state.changed.add(p));
      // Before the first scan finishes there is nothing to patch: the scan sees the change itself.
      if (!state.index) continue;
      clearTimeout(state.timer);
      state.timer = setTimeout(() => void refresh(root), CHANGES_DELAY_MS);
    }
  });

  /** Locates every open document's context again; true when one changed (its new context is scanned). */
  const relocate = (): boolean => store.documents.all().map((d) => track(d.uri)).some((moved) => moved);

  store.documents.onDidOpen((e) => void track(e.document.uri));
  store.documents.onDidClose((e) => untrack(e.document.uri));
  connection.onShutdown(() => void engine?.close());
  // After a settings change the service republishes and refreshes anyway.
  return { settingsChanged: () => void relocate() };
}

/** The file path of a `file:` URI, or null for other schemes (untitled documents have no context). */
function pathOf(uri: string): string | null {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : null;
  } catch {
    return null;
  }
}

/** Starts LSP work-done progress if the scan is still running after `delayMs`; cancelling it aborts the scan. */
function progressAfter(connection: Connection, delayMs: number, root: string, controller: AbortController): { done(): void } {
  let reporter: WorkDoneProgressReporter | undefined;
  let finished = false;
  const timer = setTimeout(() => {
    void connection.window.createWorkDoneProgress().then((r) => {
      if (finished) return r.done();
      reporter = r;
      r.begin('Dockerfile Layers: scanning the build context', undefined, root, true);
      r.token.onCancellationRequested(() => controller.abort());
    }, () => undefined);
  }, delayMs);
  return {
    done() {
      finished = true;
      clearTimeout(timer);
      reporter?.done();
    },
  };
}
