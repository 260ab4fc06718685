/**
 * Cache prediction in a real VS Code against a real Docker daemon: Build Image builds from the editor and records
 * the build in the state folder, after which the hints say `cached`; a copied file changed on disk then turns its
 * COPY and every later step to `rebuild`, while the steps before it stay `cached`. Which change rebuilds which step
 * is tested in the core's cache tests and against real builds in the conformance tests; this proves the wiring:
 * command, build, recorded baseline, context watching and hint refresh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { missingSetup, startEditor, type Editor } from './harness';
import { lineText, notificationMessages, openFile, runCommand, screenshot, statusBarText, waitFor, waitForLineText, type Page } from './workbench';
import { formatBytes } from '../../server/src/core/present';
import { BASE_IMAGE, ensureBaseImage, requireDaemon, runProcess, type TestEngine } from '../conformance/docker';
import { readBaseline } from '../../server/src/state/baselines';

const STATUS_ID = 'dockerfile-layers.dockerfile-layers.dockerfileLayers.status';
// Lines of the generated Dockerfile (1-based).
const COPY_KEEP = 2;
const RUN_KEEP = 3;
const COPY_SRC = 4;
const RUN_SRC = 5;
const STEP_LINES = [COPY_KEEP, RUN_KEEP, COPY_SRC, RUN_SRC];
const DOCKERFILE = [
  `FROM ${BASE_IMAGE}`,
  'COPY keep.txt /app/',
  'RUN cat /app/keep.txt > /app/k2',
  'COPY src.txt /app/',
  'RUN cat /app/src.txt > /app/s2',
  '',
].join('\n');
// A 2-core CI machine: the build itself takes seconds, but code-server, the daemon and the measuring share them.
const BUILD_TIMEOUT_MS = 180_000;
const REBUILD_TIMEOUT_MS = 60_000;

const missing = missingSetup();
if (missing.length > 0 && !process.env.CI) {
  test('cache prediction in a real VS Code', { skip: `e2e setup absent (run .ci/e2e-setup.sh); missing: ${missing.join(', ')}` }, () => {});
} else {
  test('Build Image makes the hints say cached; a changed copied file turns its COPY and later steps to rebuild', { timeout: 420_000 }, async (t) => {
    assert.deepEqual(missing, [], 'CI is set but the e2e setup is absent: run .ci/e2e-setup.sh first');
    const engine = await requireDaemon();
    if ('skip' in engine) return void t.skip(engine.skip);
    await ensureBaseImage(engine);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-layers-e2e-cache-'));
    const stateDir = path.join(tmp, 'state');
    const started = Date.now();
    let editor: Editor | undefined;
    try {
      // The editor's server must talk to the daemon the CLI builds with (the first engine's socket).
      editor = await startEditor(writeWorkspace(path.join(tmp, 'fixture'), engine), {
        env: { DOCKERFILE_LAYERS_STATE_DIR: stateDir, DOCKER_HOST: engine.env.DOCKER_HOST },
      });
      const { page, workspace } = editor;
      await openFile(page, 'Dockerfile');
      // Build only once the context is scanned (COPY sizes shown), so the recorded keys hash the copied files.
      await waitForLineText(page, COPY_KEEP, `+ layer · ${fs.statSync(path.join(workspace, 'keep.txt')).size} B`, 60_000);
      await waitForLineText(page, COPY_SRC, `+ layer · ${fs.statSync(path.join(workspace, 'src.txt')).size} B`, 30_000);
      // The FROM line shows the local base image's size once the server looked it up (off the typing path).
      const inspected = await runProcess(engine.cli, ['image', 'inspect', '-f', '{{.Size}}', BASE_IMAGE], engine.env);
      const baseBytes = Number(inspected.stdout.trim());
      assert.ok(baseBytes > 0, `docker image inspect ${BASE_IMAGE}: ${inspected.stderr}`);
      await waitForLineText(page, 1, `stage · in final image · ${formatBytes(baseBytes)}`, 60_000);
      const opened = Date.now();
      // With an empty state folder nothing is recorded yet, so no hint may say cached or rebuild before the build.
      for (const line of STEP_LINES) assert.doesNotMatch((await lineText(page, line)) ?? '', /· (cached|rebuild)$/, `line ${line} before Build Image`);

      await runCommand(page, 'Dockerfile Layers: Build Image');
      await waitForWords(page, Object.fromEntries(STEP_LINES.map((l) => [l, 'cached'])), BUILD_TIMEOUT_MS, 'after Build Image');
      const built = Date.now();
      await screenshot(page, 'cache-built');
      const recorded = readBaseline(stateDir, path.join(workspace, 'Dockerfile'), null, 'buildkit');
      assert.equal(recorded.problem, null);
      assert.ok(recorded.baseline?.imageId, `Build Image should record the build in ${stateDir}`);
      // A cached RUN has the bytes the build measured, and the status bar the whole image with its base.
      const runBytes = recorded.baseline?.steps.find((st) => st.line === RUN_KEEP - 1)?.bytes;
      assert.equal(typeof runBytes, 'number', 'the recorded build measured the RUN step');
      const runLine = (await lineText(page, RUN_KEEP)) ?? '';
      assert.ok(runLine.endsWith(`+ layer · ${formatBytes(runBytes ?? -1)} · cached`), runLine);
      const status = await waitFor(page, async () => {
        const text = await statusBarText(page, STATUS_ID);
        return text?.includes(`(base ${formatBytes(baseBytes)})`) ? text : undefined;
      }, 30_000, () => `the status bar should show the image with its base of ${formatBytes(baseBytes)}`);
      t.diagnostic(`status bar after the build: ${status}`);

      fs.appendFileSync(path.join(workspace, 'src.txt'), 'a line added on disk\n');
      await waitForWords(page, { [COPY_KEEP]: 'cached', [RUN_KEEP]: 'cached', [COPY_SRC]: 'rebuild', [RUN_SRC]: 'rebuild' }, REBUILD_TIMEOUT_MS, 'after src.txt changed on disk');
      await screenshot(page, 'cache-rebuild');
      t.diagnostic(`editor ready ${seconds(opened - started)}, Build Image to cached ${seconds(built - opened)}, edit to rebuild ${seconds(Date.now() - built)}`);
    } finally {
      const imageId = editor && readBaseline(stateDir, path.join(editor.workspace, 'Dockerfile'), null, 'buildkit').baseline?.imageId;
      await editor?.close();
      // The build's image is untagged; removing it keeps repeated runs from piling up images.
      if (imageId) await runProcess(engine.cli, ['image', 'rm', imageId], engine.env);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Writes the workspace: the Dockerfile, its two copied files with a fresh nonce (so no earlier build's cache
 * matches) and workspace settings pointing the Build command at the engine's CLI; returns its folder.
 */
function writeWorkspace(dir: string, engine: TestEngine): string {
  const nonce = randomBytes(8).toString('hex');
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  fs.writeFileSync(path.join(dir, 'keep.txt'), `keep ${nonce}\n`);
  fs.writeFileSync(path.join(dir, 'src.txt'), `src ${nonce}\n`);
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'dockerfileLayers.docker.path': engine.cli }, null, 2));
  return dir;
}

/**
 * Waits until each line in `expected` ends with its cache word; a `Build failed` notification ends the wait
 * at once with its message.
 */
async function waitForWords(page: Page, expected: Record<number, string>, timeoutMs: number, when: string): Promise<void> {
  let shown: Record<number, string | null> = {};
  await waitFor(page, async () => {
    const failed = (await notificationMessages(page)).find((m) => m.startsWith('Build failed'));
    if (failed !== undefined) throw new Error(`Build Image failed: ${failed}`);
    shown = Object.fromEntries(await Promise.all(Object.keys(expected).map(async (l) => [l, await lineText(page, Number(l))])));
    return Object.entries(expected).every(([l, word]) => shown[Number(l)]?.endsWith(`· ${word}`)) ? true : undefined;
  }, timeoutMs, () => `${when}, the hints should end with ${JSON.stringify(expected)}; the lines show ${JSON.stringify(shown, null, 1)}`);
}
