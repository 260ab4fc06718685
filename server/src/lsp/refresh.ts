/**
 * Tells the client that analyses changed without an edit (sizes arrived, a build ended, settings changed):
 * the editor re-asks for inlay hints, and the extension's explorer and status bar ask for the analysis again.
 */
import type { Connection } from 'vscode-languageserver';
import { AnalysisChangedNotification } from '../protocol';

/** Refreshes inlay hints and notifies the client; `uri` null means every document. */
export function refreshViews(connection: Connection, uri: string | null): void {
  void connection.languages.inlayHint.refresh().catch(() => undefined);
  void connection.sendNotification(AnalysisChangedNotification.type, { uri }).catch(() => undefined);
}
