/** The status bar item: the active Dockerfile's estimated size and layer count; a click focuses the explorer. */
import * as vscode from 'vscode';
import type { Analysis } from '../../server/src/core/types';
import { statusText } from './explorer/nodes';
import { nextBuildText } from '../../server/src/core/present';

export function createStatusBar(): { item: vscode.StatusBarItem; show(analysis: Analysis | null): void } {
  const item = vscode.window.createStatusBarItem('dockerfileLayers.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Dockerfile Layers';
  item.command = 'dockerfileLayers.explorer.focus';
  return {
    item,
    show(analysis) {
      if (!analysis) return item.hide();
      item.text = statusText(analysis);
      const bound = analysis.totals.lowerBound ? ' The size is a lower bound: the build context was only partly scanned.' : '';
      const next = analysis.nextBuild ? ` ${nextBuildText(analysis.nextBuild)[0].toUpperCase()}${nextBuildText(analysis.nextBuild).slice(1)}.` : '';
      item.tooltip = `Layers this Dockerfile adds to its final image (${analysis.model.label}).${bound}${next} Click to open the layer explorer.`;
      item.show();
    },
  };
}
