/**
 * Core results -> LSP types. The only place that knows both.
 */
import { CodeActionKind, DiagnosticSeverity, InlayHintKind, MarkupKind, type CodeAction, type Diagnostic, type Hover, type InlayHint } from 'vscode-languageserver';
import type { Analysis, Finding, Step } from '../core/types';
import { hintLabel, hoverMarkdown, type HintParts } from '../core/present';
import type { FixAction } from '../core/fixes/actions';

/** An inlay hint at the end of the step's last line, or null when the label is empty. */
export function toInlayHint(step: Step, analysis: Analysis, parts: HintParts): InlayHint | null {
  const label = hintLabel(step, analysis, parts);
  if (label === '') return null;
  return {
    position: { line: step.endLine, character: step.endColumn },
    label,
    kind: InlayHintKind.Type,
    paddingLeft: true,
    tooltip: { kind: MarkupKind.Markdown, value: hoverMarkdown(step, analysis) },
  };
}

/** Hover for a step, spanning its lines. */
export function toHover(step: Step, analysis: Analysis): Hover {
  return {
    contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(step, analysis) },
    range: { start: { line: step.line, character: 0 }, end: { line: step.endLine, character: step.endColumn } },
  };
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** A diagnostic for a finding; without columns it covers whole lines. */
export function toDiagnostic(f: Finding): Diagnostic {
  return {
    range: {
      start: { line: f.line, character: f.startColumn ?? 0 },
      end: { line: f.endLine, character: f.endColumn ?? Number.MAX_SAFE_INTEGER },
    },
    severity: SEVERITY[f.severity],
    code: f.code,
    source: 'dockerfile-layers',
    message: f.message,
  };
}

/** Fix-all actions of one code are `quickfix.dockerfileLayers.fixAll` so editors list them with the quick fixes. */
const ACTION_KIND = { quickfix: CodeActionKind.QuickFix, fixAll: `${CodeActionKind.QuickFix}.dockerfileLayers.fixAll`, source: `${CodeActionKind.SourceFixAll}.dockerfileLayers` } as const;

/** A code action whose workspace edit changes the document at `uri`. */
export function toCodeAction(action: FixAction, uri: string): CodeAction {
  return {
    title: action.title,
    kind: ACTION_KIND[action.kind],
    diagnostics: action.findings.map(toDiagnostic),
    isPreferred: action.kind === 'quickfix' ? true : undefined,
    edit: { changes: { [uri]: action.edits } },
  };
}
