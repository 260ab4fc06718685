/**
 * The build context of each open Dockerfile, wired to the connection: the ContextTracker finds and scans
 * contexts off the main thread (ContextEngine's workers) and re-reads the files the editor reports as
 * changed. Hints show `sizing…` until the first scan is done and are refreshed whenever sizes change.
 */
import type { Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import { ContextEngine } from '../../context/engine';
import { ContextTracker } from '../contextTracker';
import type { AnalysisStore } from '../store';
import { refreshViews } from '../refresh';

export interface ContextFeature {
  /** Locates every open document's context again (settings changed) and scans new contexts. */
  settingsChanged(): void;
}

/** Registers the context feature; `folders` gives the workspace folders (absolute), `republish` refreshes diagnostics. */
export function registerContext(connection: Connection, store: AnalysisStore, folders: () => string[], republish: () => void): ContextFeature {
  const tracker = new ContextTracker({
    documents: () => store.documents.all().map((d) => d.uri),
    folders,
    settingsOf: (uri) => store.settingsOf(uri),
    changed: () => (republish(), refreshViews(connection, null)),
    startProgress: (root, cancel) => startProgress(connection, root, cancel),
    warn: (message) => connection.console.warn(message),
  }, () => new ContextEngine());
  store.contextOf = (uri) => tracker.contextOf(uri);
  store.documents.onDidChangeContent(() => tracker.edited());
  store.documents.onDidOpen((e) => tracker.open(e.document.uri));
  store.documents.onDidClose((e) => tracker.close(e.document.uri));
  connection.onDidChangeWatchedFiles(({ changes }) => tracker.filesChanged(changes.map((c) => c.uri)));
  connection.onShutdown(() => void tracker.shutdown());
  // After a settings change the service republishes and refreshes anyway.
  return { settingsChanged: () => tracker.settingsChanged() };
}

/** LSP work-done progress for a context scan; cancelling it calls `cancel`. */
function startProgress(connection: Connection, root: string, cancel: () => void): { done(): void } {
  let reporter: WorkDoneProgressReporter | undefined;
  let finished = false;
  void connection.window.createWorkDoneProgress().then((r) => {
    if (finished) return r.done();
    reporter = r;
    r.begin('Dockerfile Layers: scanning the build context', undefined, root, true);
    r.token.onCancellationRequested(cancel);
  }, () => undefined);
  return {
    done() {
      finished = true;
      reporter?.done();
    },
  };
}
