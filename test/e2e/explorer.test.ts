/**
 * The layer explorer, the status bar and a quick fix in a real VS Code: what the rows say is tested in
 * client/explorer/nodes' unit tests; this proves VS Code shows them, that a click on a row moves the cursor,
 * that the status bar item opens the view, and that a server quick fix edits the file and the view follows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FIXTURES, describeInEditor } from './harness';
import {
  clickTreeRow, cursorPosition, lineText, openFile, screenshot, statusBarHasIcon, statusBarText, toggleTreeRow, treeRows,
  waitFor, waitForLineText, widenSideBar, type Page, type TreeRow,
} from './workbench';

const TREE = 'Layers';
const STATUS_ID = 'dockerfile-layers.dockerfile-layers.dockerfileLayers.status';

// Lines of test/fixtures/e2e/explorer/Dockerfile (1-based). greeting.txt is 12 bytes, notes.txt 36.
const COPY_GREETING_LINE = 4;
const ASSETS_LINE = 7;
const COPY_ASSETS_LINE = 11;
const RUN_ONE_LINE = 13;
const RUN_TWO_LINE = 14;

// The image row (totals) and the stages with the build stage expanded: [level, label, description].
const EXPECTED_ROWS: [number, string, string][] = [
  [1, 'Image', '4 layers · size unknown · BuildKit 0.13 · Docker 26.1'],
  [1, 'build', 'not in final image · 3 layers · ?'],
  [2, 'FROM alpine:3.20 AS build', 'stage not in final image'],
  [2, 'WORKDIR /src', '+ layer · 0 B'],
  [2, 'COPY greeting.txt .', '+ layer · 12 B'],
  [2, 'RUN tr a-z A-Z < greeting.txt > shout.txt', '+ layer'],
  [1, 'assets', 'not in final image · 1 layer · 48 B'],
  [1, 'stage #2', 'in final image · 4 layers · ?'],
  [2, 'FROM alpine:3.20', 'stage · in final image'],
  [2, 'COPY --from=assets /assets/ /assets/', '+ layer · 48 B'],
  [2, 'COPY --from=build /src/shout.txt /shout.txt', '+ layer'],
  [2, 'RUN echo one > /one.txt', '+ layer'],
  [2, 'RUN echo two > /two.txt', '+ layer'],
  [2, 'CMD ["cat", "/assets/greeting.txt"]', 'no layer · metadata'],
];

describeInEditor(path.join(FIXTURES, 'explorer'), {}, (editor) => {
  test('the status bar shows the final image\'s layers and opens the explorer', { timeout: 60_000 }, async () => {
    const { page } = editor();
    await openFile(page, 'Dockerfile');
    // Sizes of COPY steps arrive after the build context is scanned.
    await waitForLineText(page, COPY_ASSETS_LINE, '+ layer · 48 B', 30_000);
    const status = await waitFor(page, async () => (await statusBarText(page, STATUS_ID)) ?? undefined, 10_000, () => 'no Dockerfile Layers status bar item');
    assert.equal(status, '4 layers · size ?');
    assert.ok(await statusBarHasIcon(page, STATUS_ID, 'layers'), 'the status bar item should render $(layers) as an icon');
    await screenshot(page, 'statusbar', { x: 0, y: 640, width: 760, height: 260 });

    await page.locator(`[id="${STATUS_ID}"]`).first().click();
    await waitFor(page, async () => ((await treeRows(page, TREE)).length > 0 ? true : undefined), 10_000, () => 'clicking the status bar item did not show the Layers view');
  });

  test('the explorer shows stages and steps with their hints and sizes', { timeout: 30_000 }, async () => {
    const { page } = editor();
    await widenSideBar(page, 640);
    await toggleTreeRow(page, TREE, 'build');
    await waitForRows(page, (r) => r.some((row) => row.label === 'COPY greeting.txt .'), 'the build stage did not expand');
    // Sizes arrive when the context scan ends, and the view follows: wait for them before comparing.
    const shown = (r: TreeRow[]): unknown[] => r.filter((row) => row.label !== 'Workspace' && row.level > 0).slice(0, EXPECTED_ROWS.length).map(triple);
    const workspaceEntry = (r: TreeRow[]): unknown => {
      const at = r.findIndex((row) => row.label === 'Workspace');
      return at > 0 && r[at + 1] ? triple(r[at + 1]) : null;
    };
    const ready = (r: TreeRow[]): boolean => JSON.stringify(shown(r)) === JSON.stringify(EXPECTED_ROWS) && workspaceEntry(r) !== null;
    const rows = await waitForRows(page, ready, 'the rows did not reach the expected hints and sizes').catch(async () => treeRows(page, TREE));
    assert.deepEqual(shown(rows), EXPECTED_ROWS);
    assert.ok(rows.findIndex((r) => r.label === 'Workspace') > 0, `a Workspace row should follow the image: ${JSON.stringify(rows.map(triple))}`);
    assert.deepEqual(workspaceEntry(rows), [2, 'Dockerfile', '4 layers · size unknown · on alpine:3.20']);
  });

  test('clicking a row moves the cursor to its line', { timeout: 30_000 }, async () => {
    const { page } = editor();
    await clickTreeRow(page, TREE, 'assets');
    await waitForCursor(page, ASSETS_LINE);
    await clickTreeRow(page, TREE, 'COPY greeting.txt .');
    await waitForCursor(page, COPY_GREETING_LINE);
    await clickTreeRow(page, TREE, 'RUN echo two > /two.txt');
    await waitForCursor(page, RUN_TWO_LINE);
    const rows = await treeRows(page, TREE);
    assert.deepEqual(rows.filter((r) => r.selected).map((r) => r.label), ['RUN echo two > /two.txt']);
    await screenshot(page, 'explorer');
  });

  test('the merge-runs quick fix merges the two RUN steps and the view follows', { timeout: 60_000 }, async () => {
    const { page } = editor();
    // The click above put the cursor on the second RUN and focused the editor.
    const title = 'Merge 2 RUN steps (lines 13-14) into one: 1 layer fewer';
    const action = page.locator('.action-widget .monaco-list-row').filter({ hasText: title }).first();
    // Diagnostics are republished when the context scan ends; a menu opened in that moment can miss the fix,
    // as it would for a user, who would open it again: up to three tries.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      const shown = await action.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
      if (shown) break;
      assert.ok(attempt < 3, `the quick fix "${title}" was not offered in ${attempt} tries`);
      await page.keyboard.press('Escape');
    }
    await screenshot(page, 'quickfix-before');
    await action.click();

    await waitForLineText(page, RUN_ONE_LINE, 'RUN echo one > /one.txt &&', 15_000);
    // The merged step's one hint sits at its end, on the second line; the hints the two steps had go away.
    const expected = ['RUN echo one > /one.txt && \\', 'echo two > /two.txt+ layer'];
    let merged: (string | null)[] = [];
    await waitFor(page, async () => {
      merged = [await lineText(page, RUN_ONE_LINE), await lineText(page, RUN_TWO_LINE)];
      return merged[0] === expected[0] && merged[1] === expected[1] ? true : undefined;
    }, 10_000, () => `lines ${RUN_ONE_LINE}-${RUN_TWO_LINE} should be ${JSON.stringify(expected)}, are ${JSON.stringify(merged)}`);
    // Inlay hints follow the code without a space in the DOM text (their margin is CSS).
    assert.equal(await lineText(page, RUN_TWO_LINE + 1), 'CMD ["cat", "/assets/greeting.txt"]no layer · metadata');

    await waitFor(page, async () => ((await statusBarText(page, STATUS_ID)) === '3 layers · size ?' ? true : undefined), 10_000,
      () => 'the status bar did not drop to 3 layers');
    const rows = await waitForRows(page, (r) => r.some((row) => row.label === 'Image' && row.description.startsWith('3 layers')),
      'the explorer did not drop to 3 layers');
    const runs = rows.filter((r) => r.level === 2 && r.label.startsWith('RUN echo'));
    assert.equal(runs.length, 1, `one RUN row should remain in the final stage: ${JSON.stringify(runs)}`);
    assert.match(runs[0].label, /^RUN echo one > \/one\.txt && .*echo two > \/two\.txt$/);
    assert.equal(rows.find((r) => r.label === 'stage #2')?.description, 'in final image · 3 layers · ?');
    await screenshot(page, 'quickfix-after');
  });
});

function triple(row: TreeRow): [number, string, string] {
  return [row.level, row.label, row.description];
}

function waitForRows(page: Page, ok: (rows: TreeRow[]) => boolean, failure: string): Promise<TreeRow[]> {
  let last: TreeRow[] = [];
  return waitFor(page, async () => {
    last = await treeRows(page, TREE);
    return ok(last) ? last : undefined;
  }, 10_000, () => `${failure}; rows: ${JSON.stringify(last.map(triple))}`);
}

async function waitForCursor(page: Page, line: number): Promise<void> {
  let last: unknown = null;
  await waitFor(page, async () => {
    last = await cursorPosition(page);
    return (last as { line: number } | null)?.line === line ? true : undefined;
  }, 10_000, () => `the cursor did not move to line ${line}; it is at ${JSON.stringify(last)}`);
}
