/**
 * An untrusted workspace (VS Code's Restricted Mode): the manifest declares limited support, so analysis
 * must still work, while the Build command, which runs the Dockerfile's commands, must refuse and say why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FIXTURES, describeInEditor, sessionProcesses } from './harness';
import { notificationMessages, openFile, runCommand, screenshot, statusBarText, waitFor, waitForLineText } from './workbench';

// Line 14 of test/fixtures/e2e/workspace/Dockerfile is `RUN adduser -D app`.
const RUN_LINE = 14;
const STATUS_ID = 'dockerfile-layers.dockerfile-layers.dockerfileLayers.status';
const REFUSAL = 'Building runs the Dockerfile\'s commands, so it is disabled until you trust this workspace.';

describeInEditor(path.join(FIXTURES, 'workspace'), { workspaceTrust: true }, (editor) => {
  test('the folder is open in Restricted Mode and still shows hints', { timeout: 60_000 }, async () => {
    const { page } = editor();
    // VS Code shows a Restricted Mode entry in the status bar while the workspace is untrusted.
    await page.locator('.statusbar-item').filter({ hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await openFile(page, 'Dockerfile');
    assert.match(await waitForLineText(page, RUN_LINE, '+ layer', 30_000), /^RUN adduser -D app\+ layer/);
    let status: string | null = null;
    await waitFor(page, async () => {
      status = await statusBarText(page, STATUS_ID);
      return status?.startsWith('3 layers · ') ? true : undefined;
    }, 10_000, () => `the status bar item should show 3 layers in Restricted Mode too; it shows ${JSON.stringify(status)}`);
  });

  test('Build Image refuses until the workspace is trusted', { timeout: 30_000 }, async () => {
    const { page } = editor();
    await runCommand(page, 'Dockerfile Layers: Build Image');
    let shown: string[] = [];
    await waitFor(page, async () => {
      shown = await notificationMessages(page);
      return shown.some((m) => m.includes(REFUSAL)) ? true : undefined;
    }, 10_000, () => `no notification said building is disabled; shown: ${JSON.stringify(shown)}`);
    await screenshot(page, 'untrusted-build');
    assert.deepEqual(sessionProcesses(editor(), 'docker build').concat(sessionProcesses(editor(), 'buildx')), [],
      'no docker build may run in an untrusted workspace');
  });
});
