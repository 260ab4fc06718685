/** `textDocument/hover`: the step under the cursor, explained. */
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { toHover } from '../convert';

export function registerHover(connection: Connection, store: AnalysisStore): void {
  connection.onHover((params) => {
    const analysis = store.analysisOf(params.textDocument.uri);
    const line = params.position.line;
    const step = analysis?.steps.find((s) => s.line <= line && line <= s.endLine);
    return analysis && step ? toHover(step, analysis) : null;
  });
}
