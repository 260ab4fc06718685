/**
 * Start-up and responsiveness in a real VS Code: the extension sleeps until a Dockerfile is opened, how long
 * activation takes, and how soon the explorer and status bar follow an edit of a 200-line Dockerfile.
 * The budgets (activation 300 ms, edit to view 100 ms) are reported as test diagnostics and written to
 * test-results/e2e/measurements.json with the machine's load average, as they swing with it. The assertions
 * only catch gross regressions (a loaded two-core CI machine must not fail them): ten times the activation
 * budget, fifty times the edit budget.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, RESULTS_DIR, describeInEditor, extensionHostLog, sessionProcesses } from './harness';
import { openFile, runCommand, screenshot, statusBarText, treeRows, waitFor, waitForLineText, type DomNode, type Page } from './workbench';

const EXTENSION_ID = 'dockerfile-layers.dockerfile-layers';
const ACTIVATION_LOG = `_doActivateExtension ${EXTENSION_ID},`;
const SERVER_SCRIPT = path.join('dist', 'server.js');
const STATUS_ID = `${EXTENSION_ID}.dockerfileLayers.status`;
const TREE = 'Layers';
const EDITS = 20;

// test/fixtures/e2e/large/Dockerfile: 200 lines; line 6 is a RUN step.
const RUN_LINE = 6;
const LINES = 200;

const figures: Record<string, unknown> = {};

describeInEditor(path.join(FIXTURES, 'large'), {}, (editor) => {
  test('nothing runs until a Dockerfile is opened', { timeout: 60_000 }, async () => {
    const { page } = editor();
    await openFile(page, 'README.md');
    // Give the extension host time to do whatever opening a Markdown file triggers.
    await waitFor(page, async () => (extensionHostLog(editor()).includes('Eager extensions activated') ? true : undefined), 30_000,
      () => 'the extension host never finished its start-up activations');
    await page.waitForTimeout(2_000);
    const log = extensionHostLog(editor());
    assert.ok(!log.includes(ACTIVATION_LOG), `the extension activated before any Dockerfile was opened:\n${log}`);
    assert.deepEqual(sessionProcesses(editor(), SERVER_SCRIPT), [], 'a language server runs before any Dockerfile was opened');
    assert.equal(await statusBarText(page, STATUS_ID), null, 'the status bar item shows before any Dockerfile was opened');
  });

  test('opening a Dockerfile activates the extension and starts one language server', { timeout: 60_000 }, async (t) => {
    const { page } = editor();
    const chosenAt = await openFile(page, 'Dockerfile');
    await waitForLineText(page, RUN_LINE, '+ layer', 30_000);
    figures.openToFirstHintMs = Date.now() - chosenAt;
    const log = extensionHostLog(editor());
    assert.match(log, new RegExp(`${ACTIVATION_LOG.replace(/\./g, '\\.')} startup: false, activationEvent: 'onLanguage:dockerfile'`));
    const servers = sessionProcesses(editor(), SERVER_SCRIPT);
    assert.equal(servers.length, 1, `exactly one language server should run: ${JSON.stringify(servers)}`);

    const activation = await activationTime(page);
    figures.activationMs = activation;
    report(t, `activation ${activation} ms (VS Code's Running Extensions: code loading + activate() call; budget 300 ms); `
      + `Quick Open choice to the hint on line ${RUN_LINE}: ${String(figures.openToFirstHintMs)} ms`);
    assert.ok(activation < 3_000, `activation took ${activation} ms`);
    await page.keyboard.press('Control+W'); // closes Running Extensions; the Dockerfile is active again
  });

  test(`the explorer and status bar follow an edit of a ${LINES}-line Dockerfile`, { timeout: 90_000 }, async (t) => {
    const { page } = editor();
    await page.locator(`[id="${STATUS_ID}"]`).first().click(); // opens the Layers view
    await waitFor(page, async () => ((await treeRows(page, TREE)).some((r) => r.label === 'Image') ? true : undefined), 10_000,
      () => 'the Layers view did not show the image');
    await page.keyboard.press('Control+1'); // back to the editor
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Home');
    const samples: { statusMs: number; explorerMs: number }[] = [];
    for (let i = 0; i < EDITS; i++) {
      const layers = layerCount(await statusBarText(page, STATUS_ID));
      // `UN echo ...` first (no instruction, no layer), so the timed edit is one keystroke, the R that makes it a RUN.
      await page.keyboard.press('Escape');
      await page.keyboard.insertText(`UN echo edit-${i} > /edit-${i}`);
      await page.keyboard.press('Escape'); // a suggestion list would take the Enter
      await page.keyboard.press('Enter');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Home');
      await page.waitForTimeout(500);
      await page.evaluate(installProbe, { statusId: STATUS_ID, tree: TREE, layers: `${layers + 1} layers` });
      await page.keyboard.press('Shift+KeyR');
      samples.push(await waitFor(page, () => page.evaluate(readProbe, undefined), 10_000,
        () => `edit ${i}: the view did not show ${layers + 1} layers`));
      await page.keyboard.press('Escape');
      await page.keyboard.press('ArrowDown');
    }
    await screenshot(page, 'large-after-edits');
    const status = stats(samples.map((s) => s.statusMs));
    const explorer = stats(samples.map((s) => s.explorerMs));
    figures.editToStatusMs = status;
    figures.editToExplorerMs = explorer;
    report(t, `edit to status bar: median ${status.median} ms, p90 ${status.p90} ms, max ${status.max} ms; edit to explorer: median ${explorer.median} ms, `
      + `p90 ${explorer.p90} ms, max ${explorer.max} ms (${EDITS} edits, from the keydown to the DOM change; budget 100 ms)`);
    assert.ok(status.max < 5_000 && explorer.max < 5_000, `the view lags edits: ${JSON.stringify(figures)}`);
  });

  test('the figures are saved', () => {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const load = os.loadavg().map((l) => Number(l.toFixed(1)));
    fs.writeFileSync(path.join(RESULTS_DIR, 'measurements.json'), `${JSON.stringify({ ...figures, loadAverage: load, cpus: os.cpus().length }, null, 2)}\n`);
  });
});

/** Opens Developer: Show Running Extensions and reads this extension's "Activation: N ms". */
async function activationTime(page: Page): Promise<number> {
  await runCommand(page, 'Developer: Show Running Extensions');
  let rows: string[] = [];
  const seen = new Set<string>();
  const list = page.locator('.runtime-extensions-editor .monaco-list').first();
  const text = await waitFor(page, async () => {
    rows = await page.evaluate(() => Array.from((globalThis as unknown as { document: DomNode }).document
      .querySelectorAll('.runtime-extensions-editor .monaco-list-row')).map((r) => r.textContent ?? ''), undefined);
    rows.forEach((r) => seen.add(r));
    const row = rows.find((r) => r.startsWith('Dockerfile Layers') && /Activation: \d+ms/.test(r));
    // The list is sorted by activation time and only its visible rows are in the DOM: a fast activation sits
    // below the fold, so scroll down between looks.
    if (row === undefined && rows.length > 0) {
      await list.hover({ timeout: 5_000 });
      await page.mouse.wheel(0, 300);
    }
    return row;
  }, 15_000, () => `Running Extensions shows no activation time for Dockerfile Layers: ${JSON.stringify([...seen])}`);
  await screenshot(page, 'running-extensions');
  return Number(/Activation: (\d+)ms/.exec(text)?.[1]);
}

function layerCount(status: string | null): number {
  const m = status?.match(/^(\d+) layers?/);
  assert.ok(m, `the status bar shows no layer count: ${JSON.stringify(status)}`);
  return Number(m[1]);
}

function stats(values: number[]): { median: number; p90: number; max: number; all: number[] } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  return { median: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1], all: values };
}

function report(t: TestContext, message: string): void {
  t.diagnostic(message);
}

interface Probe { t0: number | null; statusMs: number | null; explorerMs: number | null }
interface ProbeWindow { __layersProbe?: Probe; performance: { now(): number }; document: DomNode & {
  addEventListener(type: string, fn: () => void, options: { capture: boolean; once: boolean }): void;
  body: unknown;
}; MutationObserver: new (fn: () => void) => { observe(node: unknown, options: object): void; disconnect(): void } }

/**
 * Runs in the page: notes the time of the next keydown (the edit; VS Code's EditContext input fires no
 * DOM input event), then the times at which the status
 * bar item and the explorer's Image row first show `layers`, from DOM mutations as they happen.
 */
function installProbe(arg: { statusId: string; tree: string; layers: string }): void {
  const w = globalThis as unknown as ProbeWindow;
  const probe: Probe = { t0: null, statusMs: null, explorerMs: null };
  w.__layersProbe = probe;
  w.document.addEventListener('keydown', () => { probe.t0 = w.performance.now(); }, { capture: true, once: true });
  const observer = new w.MutationObserver(() => {
    if (probe.t0 === null) return;
    const now = w.performance.now() - probe.t0;
    if (probe.statusMs === null && (w.document.getElementById(arg.statusId)?.textContent ?? '').includes(arg.layers)) probe.statusMs = now;
    const image = Array.from(w.document.querySelectorAll(`[role=tree][aria-label="${arg.tree}"] .monaco-list-row`))
      .find((r) => (r.getAttribute('aria-label') ?? '').startsWith(`Image ${arg.layers}`));
    if (probe.explorerMs === null && image !== undefined) probe.explorerMs = now;
    if (probe.statusMs !== null && probe.explorerMs !== null) observer.disconnect();
  });
  observer.observe(w.document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}

/** Runs in the page: the probe's two latencies in ms, or undefined while one is missing. */
function readProbe(): { statusMs: number; explorerMs: number } | undefined {
  const p = (globalThis as unknown as ProbeWindow).__layersProbe;
  return p?.statusMs != null && p.explorerMs != null ? { statusMs: Math.round(p.statusMs), explorerMs: Math.round(p.explorerMs) } : undefined;
}
