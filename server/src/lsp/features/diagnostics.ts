/** Diagnostics: findings published on open at once, after edits once typing pauses. */
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { toDiagnostic } from '../convert';

/** How long to wait after the last edit before publishing diagnostics, in milliseconds. */
const DIAGNOSTICS_DELAY_MS = 150;

/** Registers diagnostics; returns a function that republishes every open document (after a settings change). */
export function registerDiagnostics(connection: Connection, store: AnalysisStore): () => void {
  const timers = new Map<string, NodeJS.Timeout>();
  const publish = (uri: string): void => {
    const analysis = store.analysisOf(uri);
    if (analysis) void connection.sendDiagnostics({ uri, diagnostics: analysis.findings.map(toDiagnostic) });
  };
  store.documents.onDidOpen((e) => publish(e.document.uri));
  store.documents.onDidChangeContent((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.set(e.document.uri, setTimeout(() => publish(e.document.uri), DIAGNOSTICS_DELAY_MS));
  });
  store.documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  return () => store.documents.all().forEach((d) => publish(d.uri));
}
