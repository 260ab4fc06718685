/**
 * Reading and driving the VS Code workbench through its DOM: editor lines with their inlay hints, tree
 * views, the status bar, commands, notifications and screenshots. Selectors are VS Code's own class names
 * and ARIA attributes; harness.ts owns the processes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RESULTS_DIR, REPO_ROOT } from './paths';

// The few playwright-core types used, written by hand: playwright-core lives in the e2e cache, not in the
// project's node_modules, so its own declarations are not resolvable at compile time.
export interface Locator {
  waitFor(options: { state: 'visible' | 'attached' | 'hidden'; timeout: number }): Promise<void>;
  innerText(options?: { timeout: number }): Promise<string>;
  click(options?: { timeout: number }): Promise<void>;
  hover(options?: { timeout: number }): Promise<void>;
  first(): Locator;
  filter(options: { hasText: string }): Locator;
  locator(selector: string): Locator;
}
export interface Page {
  goto(url: string, options: { timeout: number; waitUntil: 'load' | 'domcontentloaded' }): Promise<unknown>;
  locator(selector: string): Locator;
  keyboard: {
    press(key: string): Promise<void>;
    type(text: string, options?: { delay: number }): Promise<void>;
    insertText(text: string): Promise<void>;
  };
  mouse: {
    move(x: number, y: number, options?: { steps: number }): Promise<void>;
    down(): Promise<void>;
    up(): Promise<void>;
    wheel(deltaX: number, deltaY: number): Promise<void>;
  };
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  screenshot(options: { path: string; clip?: { x: number; y: number; width: number; height: number } }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  setDefaultTimeout(ms: number): void;
}

/** Polls `probe` every 100 ms until it returns a value other than undefined; throws `message()` after `timeoutMs`. */
export async function waitFor<T>(page: Page, probe: () => Promise<T | undefined>, timeoutMs: number, message: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const shot = await screenshot(page, 'timeout');
      throw new Error(`${message()} (after ${timeoutMs} ms; screenshot ${path.relative(REPO_ROOT, shot)}, logs in test-results/e2e/logs)`);
    }
    await page.waitForTimeout(100);
  }
}

/**
 * Opens a workspace file through Quick Open (Ctrl+P) and waits until its editor tab is active. Returns
 * `Date.now()` at the moment the file was chosen, for timing what opening it starts.
 */
export async function openFile(page: Page, name: string): Promise<number> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.type(name, { delay: 20 });
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
  const chosenAt = Date.now();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active').filter({ hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.locator('.monaco-editor .view-lines .view-line').first().waitFor({ state: 'visible', timeout: 15_000 });
  return chosenAt;
}

/** Runs a command by its palette title (like `Dockerfile Layers: Build Image`) through F1. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.type(title, { delay: 10 });
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/**
 * The rendered text of editor line `line` (1-based, as in the gutter), inlay hints included, with runs of
 * whitespace collapsed to one space; null when that line is not rendered.
 */
export async function lineText(page: Page, line: number): Promise<string | null> {
  const raw = await page.evaluate(renderedLine, line);
  return raw === null ? null : raw.text.replace(/\s+/g, ' ').trim();
}

/** Waits until line `line` contains `expected` (hints arrive after the file opens); returns its text. */
export async function waitForLineText(page: Page, line: number, expected: string, timeoutMs = 20_000): Promise<string> {
  let last: string | null = null;
  return waitFor(page, async () => {
    last = await lineText(page, line);
    return last !== null && last.includes(expected) ? last : undefined;
  }, timeoutMs, () => `line ${line} did not show "${expected}"; it shows: ${JSON.stringify(last)}`);
}

/** Moves the mouse onto the first word of line `line` and returns the text of the hover that appears. */
export async function hoverLine(page: Page, line: number): Promise<string> {
  const rendered = await page.evaluate(renderedLine, line);
  if (rendered === null) throw new Error(`line ${line} is not rendered`);
  await page.mouse.move(rendered.x - 40, rendered.y, { steps: 2 });
  await page.mouse.move(rendered.x, rendered.y, { steps: 5 });
  const hover = page.locator('.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content').first();
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  return (await hover.innerText({ timeout: 5_000 })).replace(/\s+/g, ' ').trim();
}

/** The cursor's position as the status bar shows it (`Ln 14, Col 1`), or null when no editor is active. */
export async function cursorPosition(page: Page): Promise<{ line: number; column: number } | null> {
  const text = await statusBarText(page, 'status.editor.selection');
  const m = text?.match(/Ln (\d+), Col (\d+)/);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

/** The text of the status bar entry with DOM id `id` (icons are not text), or null when it is not shown. */
export function statusBarText(page: Page, id: string): Promise<string | null> {
  return page.evaluate((entryId) => {
    const el = (globalThis as unknown as { document: DomNode }).document.getElementById(entryId);
    return el === null ? null : (el.textContent ?? '').replace(/\s+/g, ' ').trim();
  }, id);
}

/** Whether the status bar entry `id` renders a codicon named `icon` (a `$(icon)` in its text). */
export function statusBarHasIcon(page: Page, id: string, icon: string): Promise<boolean> {
  return page.evaluate(([entryId, name]) => {
    const el = (globalThis as unknown as { document: DomNode }).document.getElementById(entryId);
    return el?.querySelector(`.codicon-${name}`) !== null && el !== null;
  }, [id, icon] as const);
}

/** One rendered row of a tree view. */
export interface TreeRow { level: number; label: string; description: string; selected: boolean; index: number }

/** The rendered rows of the tree view whose accessible name is `tree` (a view's name, like `Layers`). */
export function treeRows(page: Page, tree: string): Promise<TreeRow[]> {
  return page.evaluate((name) => {
    const doc = (globalThis as unknown as { document: DomNode }).document;
    return Array.from(doc.querySelectorAll(`[role=tree][aria-label="${name}"] .monaco-list-row`)).map((row) => ({
      level: Number(row.getAttribute('aria-level')),
      label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
      selected: row.getAttribute('aria-selected') === 'true',
      index: Number(row.getAttribute('data-index')),
    })).sort((a, b) => a.index - b.index);
  }, tree);
}

/** Clicks the label of the first row of tree `tree` whose label is `label` (which runs its command). */
export async function clickTreeRow(page: Page, tree: string, label: string): Promise<void> {
  await (await treeRow(page, tree, label)).locator('.label-name').first().click({ timeout: 10_000 });
}

/** Clicks the expand/collapse arrow of the first row of tree `tree` whose label is `label`. */
export async function toggleTreeRow(page: Page, tree: string, label: string): Promise<void> {
  await (await treeRow(page, tree, label)).locator('.monaco-tl-twistie').first().click({ timeout: 10_000 });
}

async function treeRow(page: Page, tree: string, label: string): Promise<Locator> {
  const rows = await treeRows(page, tree);
  const row = rows.find((r) => r.label === label);
  if (row === undefined) throw new Error(`tree ${tree} shows no row ${JSON.stringify(label)}; it shows ${JSON.stringify(rows.map((r) => r.label))}`);
  return page.locator(`[role=tree][aria-label="${tree}"] .monaco-list-row[data-index="${row.index}"]`);
}

/** The messages of the notification toasts on screen. */
export function notificationMessages(page: Page): Promise<string[]> {
  return page.evaluate(() => Array.from((globalThis as unknown as { document: DomNode }).document
    .querySelectorAll('.notifications-toasts .notification-list-item-message')).map((m) => (m.textContent ?? '').trim()), undefined);
}

/** Drags the sash between the side bar and the editor to `x`, so tree rows are readable in screenshots. */
export async function widenSideBar(page: Page, x: number): Promise<void> {
  const sash = await page.evaluate(() => {
    const el = (globalThis as unknown as { document: DomNode }).document.querySelector('.part.sidebar');
    const r = el?.getBoundingClientRect();
    return r ? { x: r.left + r.width, y: r.top + r.height / 2 } : null;
  }, undefined);
  if (sash === null) throw new Error('no side bar on screen');
  await page.mouse.move(sash.x, sash.y, { steps: 2 });
  await page.mouse.down();
  await page.mouse.move(x, sash.y, { steps: 8 });
  await page.mouse.up();
}

/** Saves a screenshot (the whole window, or `clip`) as test-results/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot(clip ? { path: file, clip } : { path: file });
  return file;
}

// Minimal DOM shapes for the functions that run inside the page (the test project has no DOM lib).
export interface DomRect { top: number; left: number; width: number; height: number }
export interface DomNode {
  textContent: string | null;
  style: { top: string };
  getAttribute(name: string): string | null;
  getElementById(id: string): DomNode | null;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
  getBoundingClientRect(): DomRect;
}

/**
 * Runs in the page: finds the rendered line whose gutter number is `line` (Monaco positions gutter rows and
 * text rows absolutely, with equal `top`), and returns its text and the centre of its first word.
 */
function renderedLine(line: number): { text: string; x: number; y: number } | null {
  const doc = (globalThis as unknown as { document: DomNode }).document;
  const editor = doc.querySelector('.editor-instance .monaco-editor') ?? doc.querySelector('.monaco-editor');
  if (editor === null) return null;
  const gutter = Array.from(editor.querySelectorAll('.margin-view-overlays > div'))
    .find((row) => row.querySelector('.line-numbers')?.textContent?.trim() === String(line));
  if (gutter === undefined) return null;
  const row = Array.from(editor.querySelectorAll('.view-lines > .view-line')).find((r) => r.style.top === gutter.style.top);
  if (row === undefined) return null;
  const first = row.querySelector('span > span') ?? row;
  const rect = first.getBoundingClientRect();
  return { text: row.textContent ?? '', x: rect.left + Math.min(rect.width / 2, 12), y: rect.top + rect.height / 2 };
}
