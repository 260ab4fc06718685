/**
 * The language service: keeps the latest analysis per open document and answers LSP requests with it.
 * Handlers are short: get the analysis, call a converter.
 */
import { TextDocuments, type Connection, type InlayHintParams, type HoverParams } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDockerfile } from '../core/analyze';
import type { Analysis } from '../core/types';
import { LayersRequest } from '../protocol';
import { toDiagnostic, toHover, toInlayHint } from './convert';
import { DEFAULT_SETTINGS, toSettings, type ServerSettings } from './settings';

interface Cached {
  version: number;
  settingsKey: string;
  analysis: Analysis;
}

/** How long to wait after the last edit before publishing diagnostics, in milliseconds. */
const DIAGNOSTICS_DELAY_MS = 150;

/** Wires the language features to `connection`; the caller starts listening. */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const cache = new Map<string, Cached>();
  const timers = new Map<string, NodeJS.Timeout>();
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let pullsConfiguration = false;

  const analysisOf = (uri: string): Analysis | null => {
    const doc = documents.get(uri);
    if (!doc) return null;
    const key = JSON.stringify(settings.analysis);
    const hit = cache.get(uri);
    if (hit && hit.version === doc.version && hit.settingsKey === key) return hit.analysis;
    const analysis = analyzeDockerfile(doc.getText(), settings.analysis);
    cache.set(uri, { version: doc.version, settingsKey: key, analysis });
    return analysis;
  };

  const publish = (uri: string): void => {
    const analysis = analysisOf(uri);
    if (analysis) void connection.sendDiagnostics({ uri, diagnostics: analysis.findings.map(toDiagnostic) });
  };

  const schedule = (uri: string): void => {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => publish(uri), DIAGNOSTICS_DELAY_MS));
  };

  const reloadSettings = async (): Promise<void> => {
    if (!pullsConfiguration) return;
    settings = toSettings(await connection.workspace.getConfiguration('dockerfileLayers'));
    for (const doc of documents.all()) publish(doc.uri);
    void connection.languages.inlayHint.refresh().catch(() => undefined);
  };

  connection.onInitialize((params) => {
    pullsConfiguration = params.capabilities.workspace?.configuration === true;
    settings = toSettings(params.initializationOptions?.settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: 2 },
        hoverProvider: true,
        inlayHintProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'dockerfile-layers' },
    };
  });
  connection.onInitialized(() => void reloadSettings().catch(() => undefined));
  connection.onDidChangeConfiguration(() => void reloadSettings().catch(() => undefined));

  documents.onDidOpen((e) => publish(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    cache.delete(e.document.uri);
    clearTimeout(timers.get(e.document.uri));
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.languages.inlayHint.on((params: InlayHintParams) => {
    const analysis = settings.inlayHints.enabled ? analysisOf(params.textDocument.uri) : null;
    if (!analysis) return [];
    const { start, end } = params.range;
    return analysis.steps
      .filter((s) => s.endLine >= start.line && s.endLine <= end.line)
      .map((s) => toInlayHint(s, analysis, settings.inlayHints.parts))
      .filter((h) => h !== null);
  });

  connection.onHover((params: HoverParams) => {
    const analysis = analysisOf(params.textDocument.uri);
    const line = params.position.line;
    const step = analysis?.steps.find((s) => s.line <= line && line <= s.endLine);
    return analysis && step ? toHover(step, analysis) : null;
  });

  connection.onRequest(LayersRequest.type, (params) => {
    const analysis = analysisOf(params.textDocument.uri);
    const doc = documents.get(params.textDocument.uri);
    return analysis && doc ? { uri: doc.uri, version: doc.version, analysis } : null;
  });

  documents.listen(connection);
}
