/**
 * The language service: the composition root that wires features to the connection. Each feature lives in
 * features/ and reads analyses from the AnalysisStore.
 */
import type { Connection } from 'vscode-languageserver';
import { AnalysisStore } from './store';
import { toSettings } from './settings';
import { registerInlayHints } from './features/inlayHints';
import { registerHover } from './features/hover';
import { registerLayersRequest } from './features/layers';
import { registerDiagnostics } from './features/diagnostics';

/** Wires the language features to `connection`; the caller starts listening. */
export function startServer(connection: Connection): void {
  const store = new AnalysisStore();
  let pullsConfiguration = false;

  connection.onInitialize((params) => {
    pullsConfiguration = params.capabilities.workspace?.configuration === true;
    store.settings = toSettings(params.initializationOptions?.settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: 2 },
        hoverProvider: true,
        inlayHintProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'dockerfile-layers' },
    };
  });

  registerInlayHints(connection, store);
  registerHover(connection, store);
  registerLayersRequest(connection, store);
  const republish = registerDiagnostics(connection, store);
  store.documents.onDidClose((e) => store.forget(e.document.uri));

  const reloadSettings = async (): Promise<void> => {
    if (!pullsConfiguration) return;
    store.settings = toSettings(await connection.workspace.getConfiguration('dockerfileLayers'));
    republish();
    await connection.languages.inlayHint.refresh();
  };
  const reload = (): void => void reloadSettings().catch((e) => connection.console.warn(`Could not read settings: ${String(e)}`));
  connection.onInitialized(reload);
  connection.onDidChangeConfiguration(reload);

  store.documents.listen(connection);
}
