/** The status bar item: the active Dockerfile's estimated size and layer count; a click focuses the explorer. */
import * as vscode from 'vscode';
import type { Analysis } from '../../server/src/core/types';
import { statusText } from './explorer/nodes';

export function createStatusBar(): { item: vscode.StatusBarItem; show(analysis: Analysis | null): void } {
  const item = vscode.window.createStatusBarItem('dockerfileLayers.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Dockerfile Layers';
  item.command = 'dockerfileLayers.explorer.focus';
  return {
    item,
    show(analysis) {
      if (!analysis) return item.hide();
      item.text = statusText(analysis);
      const builder = analysis.builder === 'buildkit' ? 'BuildKit' : 'legacy builder';
      const bound = analysis.totals.lowerBound ? ' The size is a lower bound: the build context was only partly scanned.' : '';
      item.tooltip = `Layers this Dockerfile adds to its final image (${builder}).${bound} Click to open the layer explorer.`;
      item.show();
    },
  };
}
