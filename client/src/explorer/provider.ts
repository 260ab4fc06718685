/**
 * The layer explorer's TreeDataProvider: rows from explorer/nodes.ts as TreeItems, dimming through a
 * FileDecorationProvider (TreeItems have no dim style of their own).
 */
import * as vscode from 'vscode';
import type { Row, RowIcon } from './nodes';
import { RowTree } from './rowTree';

const ICONS: Record<RowIcon, string> = {
  image: 'package', stage: 'layers', 'stage-off': 'layers-dot', layer: 'layers-active', 'layer-maybe': 'question',
  metadata: 'symbol-property', skipped: 'circle-slash', base: 'library', file: 'file', workspace: 'root-folder',
  dockerfile: 'file-code', info: 'info',
};

const DIM_SCHEME = 'dockerfile-layers-row';

/** Serves rows to the tree; `setRows` keeps rows that did not change and tells VS Code only about those that did. */
export class LayerTreeProvider implements vscode.TreeDataProvider<Row>, vscode.FileDecorationProvider {
  private readonly tree = new RowTree();
  private readonly changed = new vscode.EventEmitter<Row[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  setRows(rows: Row[]): void {
    // Typing that does not change the analysis (a comment, a word inside a RUN) fires nothing: VS Code delays
    // every tree refresh that follows another within 200 ms.
    const changes = this.tree.update(rows);
    if (changes.kind === 'all') this.changed.fire(undefined);
    else if (changes.kind === 'rows') this.changed.fire(changes.rows);
  }

  getChildren(row?: Row): Row[] {
    return row ? row.children : this.tree.roots;
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const state = row.children.length === 0 ? vscode.TreeItemCollapsibleState.None
      : row.icon === 'stage' || row.icon === 'workspace' ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(row.label, state);
    item.id = row.id;
    item.description = row.description;
    item.tooltip = new vscode.MarkdownString(row.tooltip.replace(/\n/g, '  \n'));
    const color = row.cache === 'hit' ? new vscode.ThemeColor('charts.green') : row.cache === 'miss' ? new vscode.ThemeColor('charts.orange') : undefined;
    item.iconPath = new vscode.ThemeIcon(ICONS[row.icon], color);
    item.contextValue = row.icon;
    if (row.dimmed) item.resourceUri = vscode.Uri.from({ scheme: DIM_SCHEME, path: `/${encodeURIComponent(row.id)}` });
    if (row.reveal) {
      item.command = { command: 'dockerfileLayers.revealLine', title: 'Go to Line', arguments: [row.reveal.uri, row.reveal.line] };
    }
    return item;
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return uri.scheme === DIM_SCHEME ? { color: new vscode.ThemeColor('disabledForeground') } : undefined;
  }
}
