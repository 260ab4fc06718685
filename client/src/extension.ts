/**
 * VS Code side: starts the language server, and feeds the layer explorer and the status bar from the
 * server's `dockerfileLayers/layers` answers. Analysis itself always happens in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { AnalysisChangedNotification, BuildLogNotification, LayersRequest, TrustNotification, WorkspaceRequest, type LayersResult, type WorkspaceResult } from '../../server/src/protocol';
import { imageRows, withFreshEntry, workspaceRow } from './explorer/nodes';
import { LayerTreeProvider } from './explorer/provider';
import { createStatusBar } from './statusBar';
import { registerCommands } from './commands';
import { SERVER_EXEC_ARGV } from '../../server/src/runtimeFlags';

let client: LanguageClient | undefined;

/** Answers for an older version of the document asked again in a row, at most (the server may lag behind). */
const MAX_STALE_ANSWERS = 3;
const DOCKERFILE_GLOB = '**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,Dockerfile.*,Containerfile.*}';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: SERVER_EXEC_ARGV } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'dockerfile' }],
    // Every file change goes to the server, which re-reads only those inside a build context it scans.
    synchronize: { configurationSection: 'dockerfileLayers', fileEvents: vscode.workspace.createFileSystemWatcher('**/*') },
    initializationOptions: { settings: vscode.workspace.getConfiguration('dockerfileLayers'), trusted: vscode.workspace.isTrusted },
  };
  const lc = new LanguageClient('dockerfileLayers', 'Dockerfile Layers', serverOptions, clientOptions);
  client = lc;
  const output = vscode.window.createOutputChannel('Dockerfile Layers Build');
  const tree = new LayerTreeProvider();
  const view = vscode.window.createTreeView('dockerfileLayers.explorer', { treeDataProvider: tree, showCollapseAll: true });
  const status = createStatusBar();
  let current: LayersResult | null = null;
  let workspace: WorkspaceResult | null = null;
  let showMetadata = context.workspaceState.get<boolean>('showMetadata', true);
  void vscode.commands.executeCommand('setContext', 'dockerfileLayers.showMetadata', showMetadata);

  const render = (): void => {
    const rows = current ? imageRows(current, { showMetadata }) : [];
    // The workspace summary is read on save; the active Dockerfile's entry follows every edit.
    const summary = workspace && current ? withFreshEntry(workspace, current) : workspace;
    const label = (uri: string): string => vscode.workspace.asRelativePath(vscode.Uri.parse(uri));
    status.show(current?.analysis ?? null);
    tree.setRows(summary && summary.entries.length > 0 ? [...rows, workspaceRow(summary, label)] : rows);
    // Set only when it changes: each change of the message also delays the tree's next refresh in VS Code.
    const message = current ? undefined : 'Open a Dockerfile to see its layers.';
    if (view.message !== message) view.message = message;
  };
  const activeDockerfile = (): vscode.TextDocument | null => {
    const doc = vscode.window.activeTextEditor?.document;
    return doc && doc.languageId === 'dockerfile' ? doc : null;
  };
  // One layers request at a time: changes that arrive while one runs are answered by one more request after it.
  let asking = false;
  let askAgain = false;
  let staleAnswers = 0;
  const refreshActive = async (): Promise<void> => {
    if (asking) return void (askAgain = true);
    const doc = activeDockerfile();
    if (!doc) {
      // Keep showing the last Dockerfile while another kind of editor has focus; clear only when it closed.
      if (current && !vscode.workspace.textDocuments.some((d) => d.uri.toString() === current?.uri)) current = null;
      return render();
    }
    asking = true;
    try {
      const answer = await lc.sendRequest(LayersRequest.type, { textDocument: { uri: doc.uri.toString() } }).catch(() => current);
      // The language client sends the edit from its own listener, through a few promise steps: an answer for an
      // older version is not shown (it would also delay the tree's next refresh in VS Code); it is asked again.
      const stale = answer !== null && answer.uri === doc.uri.toString() && answer.version < doc.version && staleAnswers++ < MAX_STALE_ANSWERS;
      if (stale) askAgain = true;
      else {
        staleAnswers = 0;
        current = answer;
        render();
      }
    } finally {
      asking = false;
      if (askAgain) {
        askAgain = false;
        void refreshActive();
      }
    }
  };
  const refreshWorkspace = async (): Promise<void> => {
    const files = await vscode.workspace.findFiles(DOCKERFILE_GLOB, '**/node_modules/**', 500);
    if (files.length === 0) return void (workspace = null);
    workspace = await lc.sendRequest(WorkspaceRequest.type, { uris: files.map((f) => f.toString()) }).catch(() => null);
  };
  const refreshAll = async (): Promise<void> => {
    await refreshWorkspace();
    await refreshActive();
  };

  // No debounce: requests never overlap (see refreshActive), and VS Code's tree view has a 200 ms one of its own.
  // The next turn of the event loop, so that the language client has sent the edit before the request.
  const schedule = (): void => void setImmediate(() => void refreshActive());

  context.subscriptions.push(
    lc, output, view, status.item, vscode.window.registerFileDecorationProvider(tree),
    ...registerCommands({
      client: lc, output, current: () => current, refresh: refreshAll,
      setShowMetadata: (show) => {
        showMetadata = show;
        void context.workspaceState.update('showMetadata', show);
        void vscode.commands.executeCommand('setContext', 'dockerfileLayers.showMetadata', show);
        render();
      },
    }),
    vscode.window.onDidChangeActiveTextEditor(() => void refreshActive()),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === activeDockerfile()) schedule();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dockerfileLayers')) schedule();
    }),
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.languageId === 'dockerfile') void refreshAll();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void lc.sendNotification(TrustNotification.type, { trusted: true })),
  );
  await lc.start();
  lc.onNotification(BuildLogNotification.type, (p) => output.append(p.text));
  lc.onNotification(AnalysisChangedNotification.type, (p) => {
    // A build of the shown Dockerfile ended, or (`uri` null) a context scan or a changed file brought new sizes:
    // only the rows whose text changed are redrawn.
    if (p.uri === null || p.uri === current?.uri) schedule();
  });
  await refreshAll();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
