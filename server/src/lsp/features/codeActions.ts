/** `textDocument/codeAction`: quick fixes for layer findings, "fix all of this kind", and `source.fixAll`. */
import { CodeActionKind, type Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { fixableHits, fixActions, sourceFixAll } from '../../core/fixes/actions';
import { toCodeAction } from '../convert';
import type { RuleHit } from '../../core/rules/context';

export function registerCodeActions(connection: Connection, store: AnalysisStore): void {
  // VS Code asks on every cursor move; the rule hits of the last document version asked about are kept, so
  // that those requests do not analyze again and hold up the edits that follow them.
  let last: { uri: string; version: number; options: unknown; hits: RuleHit[] } | null = null;
  const hitsOf = (uri: string, version: number, text: string): RuleHit[] => {
    const options = store.settings.analysis;
    if (last?.uri !== uri || last.version !== version || last.options !== options) last = { uri, version, options, hits: fixableHits(text, options) };
    return last.hits;
  };
  connection.onCodeAction((params) => {
    const doc = store.documents.get(params.textDocument.uri);
    if (!doc) return [];
    if (params.context.only?.some((k) => k.startsWith(CodeActionKind.SourceFixAll))) {
      const all = sourceFixAll(doc.getText(), store.settings.analysis);
      return all === null ? [] : [toCodeAction(all, doc.uri)];
    }
    return fixActions(hitsOf(doc.uri, doc.version, doc.getText()), params.range.start.line, params.range.end.line).map((a) => toCodeAction(a, doc.uri));
  });
}
