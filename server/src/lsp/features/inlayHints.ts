/** `textDocument/inlayHint`: one hint per instruction in the requested range. */
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { toInlayHint } from '../convert';

export function registerInlayHints(connection: Connection, store: AnalysisStore): void {
  connection.languages.inlayHint.on((params) => {
    const { inlayHints } = store.settingsOf(params.textDocument.uri);
    const analysis = inlayHints.enabled ? store.analysisOf(params.textDocument.uri) : null;
    if (!analysis) return [];
    const { start, end } = params.range;
    return analysis.steps
      .filter((s) => s.endLine >= start.line && s.endLine <= end.line)
      .map((s) => toInlayHint(s, analysis, inlayHints.parts))
      .filter((h) => h !== null);
  });
}
