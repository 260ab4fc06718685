/** `textDocument/codeAction`: quick fixes for layer findings, "fix all of this kind", and `source.fixAll`. */
import { CodeActionKind, type Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { fixActions, sourceFixAll } from '../../core/fixes/actions';
import { toCodeAction } from '../convert';

export function registerCodeActions(connection: Connection, store: AnalysisStore): void {
  connection.onCodeAction((params) => {
    const doc = store.documents.get(params.textDocument.uri);
    if (!doc) return [];
    if (params.context.only?.some((k) => k.startsWith(CodeActionKind.SourceFixAll))) {
      const all = sourceFixAll(doc.getText(), store.settingsOf(doc.uri).analysis);
      return all === null ? [] : [toCodeAction(all, doc.uri)];
    }
    return fixActions(store.ruleHitsOf(doc.uri), params.range.start.line, params.range.end.line).map((a) => toCodeAction(a, doc.uri));
  });
}
