/**
 * The language service: the composition root that wires features to the connection. Each feature lives in
 * features/ and reads analyses from the AnalysisStore.
 */
import type { Connection } from 'vscode-languageserver';
import { AnalysisStore } from './store';
import { toSettings } from './settings';
import { DocumentConfiguration } from './configuration';
import { registerInlayHints } from './features/inlayHints';
import { registerHover } from './features/hover';
import { registerLayersRequest } from './features/layers';
import { registerDiagnostics } from './features/diagnostics';
import { registerBuild } from './features/build';
import { registerEngine } from './features/engine';
import { registerWorkspace } from './features/workspace';
import { registerCodeActions } from './features/codeActions';
import { registerContext } from './features/context';
import { fileURLToPath } from 'node:url';
import { refreshViews } from './refresh';

/** Wires the language features to `connection`; the caller starts listening. */
export function startServer(connection: Connection): void {
  const store = new AnalysisStore();
  let pullsConfiguration = false;
  let folders: string[] = [];

  connection.onInitialize((params) => {
    pullsConfiguration = params.capabilities.workspace?.configuration === true;
    store.setDefaultSettings(toSettings(params.initializationOptions?.settings));
    store.trusted = params.initializationOptions?.trusted === true;
    const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    folders = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: 2 },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.dockerfileLayers'] },
        inlayHintProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'dockerfile-layers' },
    };
  });

  registerInlayHints(connection, store);
  registerHover(connection, store);
  registerLayersRequest(connection, store);
  const republish = registerDiagnostics(connection, store);
  const probe = registerEngine(connection, store, () => {
    republish();
    refreshViews(connection, null);
  });
  registerBuild(connection, store, probe);
  registerWorkspace(connection, store);
  const context = registerContext(connection, store, () => folders, republish);
  registerCodeActions(connection, store);
  const configuration = new DocumentConfiguration(connection, store, () => {
    context.settingsChanged();
    republish();
    refreshViews(connection, null);
  });
  const warn = (e: unknown): void => connection.console.warn(`Could not read settings: ${String(e)}`);
  // Without workspace/configuration every document keeps the settings of initializationOptions.
  store.documents.onDidOpen((e) => {
    if (pullsConfiguration) void configuration.opened(e.document.uri).catch(warn);
  });
  store.documents.onDidClose((e) => {
    store.forget(e.document.uri);
    configuration.closed(e.document.uri);
  });
  const reload = (): void => {
    if (pullsConfiguration) void configuration.reload().catch(warn);
    void probe();
  };
  connection.onInitialized(reload);
  connection.onDidChangeConfiguration(reload);

  store.documents.listen(connection);
}
