/**
 * Commands of the palette, the view toolbar and the editor title. Settings commands write the workspace
 * configuration, which the server pulls; the Build command asks the server to build.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { BuildRequest, type LayersResult } from '../../server/src/protocol';
import { stageLabel } from '../../server/src/core/layers';

/** What commands need from the extension: the client, the last result for the active Dockerfile, a refresh. */
export interface CommandContext {
  client: LanguageClient;
  output: vscode.OutputChannel;
  current(): LayersResult | null;
  refresh(): Promise<void>;
  setShowMetadata(show: boolean): void;
}

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('dockerfileLayers');
const scope = (): vscode.ConfigurationTarget =>
  vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('dockerfileLayers.refresh', () => ctx.refresh()),
    vscode.commands.registerCommand('dockerfileLayers.showMetadata', () => ctx.setShowMetadata(true)),
    vscode.commands.registerCommand('dockerfileLayers.hideMetadata', () => ctx.setShowMetadata(false)),
    vscode.commands.registerCommand('dockerfileLayers.revealLine', revealLine),
    vscode.commands.registerCommand('dockerfileLayers.chooseBuilder', chooseBuilder),
    vscode.commands.registerCommand('dockerfileLayers.selectTarget', () => selectTarget(ctx)),
    vscode.commands.registerCommand('dockerfileLayers.setBuildArgs', setBuildArgs),
    vscode.commands.registerCommand('dockerfileLayers.build', () => build(ctx)),
  ];
}

async function revealLine(uri: string, line: number): Promise<void> {
  const editor = await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preserveFocus: false });
  const pos = new vscode.Position(line, 0);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

async function chooseBuilder(): Promise<void> {
  const current = config().get<string>('builder', 'buildkit');
  const picked = await vscode.window.showQuickPick([
    { label: 'buildkit', description: 'BuildKit, the default since Docker 23', picked: current === 'buildkit' },
    { label: 'legacy', description: 'The legacy builder (DOCKER_BUILDKIT=0)', picked: current === 'legacy' },
  ], { title: 'Predict layers for which builder?' });
  if (picked) await config().update('builder', picked.label, scope());
}

async function selectTarget(ctx: CommandContext): Promise<void> {
  const result = ctx.current();
  if (!result || result.analysis.stages.length === 0) {
    void vscode.window.showInformationMessage('Open a Dockerfile with at least one stage to choose a build target.');
    return;
  }
  const items = [
    { label: '(last stage)', description: 'the default target', value: '' },
    ...result.analysis.stages.map((s) => ({ label: stageLabel(s.index, s.name), description: `FROM ${s.base}`, value: s.name ?? String(s.index) })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Build target (like docker build --target)' });
  if (picked) await config().update('target', picked.value, scope());
}

async function setBuildArgs(): Promise<void> {
  const current = config().get<Record<string, string>>('buildArgs', {});
  const text = Object.entries(current).map(([k, v]) => `${k}=${v}`).join(' ');
  const input = await vscode.window.showInputBox({
    title: 'Build arguments (like docker build --build-arg)',
    prompt: 'KEY=VALUE pairs separated by spaces; empty clears them',
    value: text,
    validateInput: (v) => (v.trim().split(/\s+/).filter((p) => p !== '').every((p) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(p)) ? null : 'Each entry must look like KEY=VALUE'),
  });
  if (input === undefined) return;
  const args: Record<string, string> = {};
  for (const pair of input.trim().split(/\s+/).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    args[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  await config().update('buildArgs', args, scope());
}

async function build(ctx: CommandContext): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    const manage = 'Manage Workspace Trust';
    const choice = await vscode.window.showWarningMessage('Building runs the Dockerfile\'s commands, so it is disabled until you trust this workspace.', manage);
    if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  const result = ctx.current();
  if (!result) {
    void vscode.window.showInformationMessage('Open a Dockerfile to build its image.');
    return;
  }
  ctx.output.show(true);
  ctx.output.appendLine(`--- Building ${vscode.Uri.parse(result.uri).fsPath}`);
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Building image', cancellable: true },
    (_progress, token) => ctx.client.sendRequest(BuildRequest.type, { textDocument: { uri: result.uri } }, token),
  ).then((r) => r, (e: unknown) => ({ ok: false, imageId: null, message: e instanceof Error ? e.message : String(e), durationMs: 0 }));
  ctx.output.appendLine(`--- ${outcome.message}`);
  if (outcome.ok) void vscode.window.showInformationMessage(`Built in ${(outcome.durationMs / 1000).toFixed(1)} s: ${outcome.message}`);
  else void vscode.window.showErrorMessage(`Build failed: ${outcome.message}`);
  await ctx.refresh();
}
