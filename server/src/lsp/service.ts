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
import { registerCache } from './features/cache';
import { registerSizes } from './features/sizes';
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
  const loadCache = registerCache(connection, store);
  const loadSizes = registerSizes(connection, store, () => {
    republish();
    refreshViews(connection, null);
  });
  /** Loads the recorded builds of `uris` (every open document when omitted), then refreshes what shows them. */
  const reloadCaches = async (uris = store.documents.keys()): Promise<void> => {
    await Promise.all(uris.map((u) => loadCache(u).catch((e: unknown) => connection.console.warn(`Could not load the recorded build of ${u}: ${String(e)}`))));
    republish();
    refreshViews(connection, null);
    // Base images after the recorded builds: a build may have pulled or replaced them.
    for (const u of uris) void loadSizes(u, true).catch((e: unknown) => connection.console.warn(`Could not look up the base images of ${u}: ${String(e)}`));
  };
  registerBuild(connection, store, probe, (uri) => reloadCaches([uri]));
  registerWorkspace(connection, store);
  const context = registerContext(connection, store, () => folders, republish);
  registerCodeActions(connection, store);
  const configuration = new DocumentConfiguration(connection, store, () => {
    context.settingsChanged();
    void reloadCaches();
  });
  const warn = (e: unknown): void => connection.console.warn(`Could not read settings: ${String(e)}`);
  // Without workspace/configuration every document keeps the settings of initializationOptions.
  store.documents.onDidOpen((e) => {
    const uri = e.document.uri;
    const settled = pullsConfiguration ? configuration.opened(uri).catch(warn) : Promise.resolve();
    void settled.then(() => reloadCaches([uri]));
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
