/**
 * The wiring test: the built extension, loaded into a real VS Code (code-server), shows the language server's
 * inlay hints and hovers on a Dockerfile. What the hints say is tested in the core tests; this proves the
 * bundle activates, starts its server and that VS Code renders what the server returns.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, REPO_ROOT, extensionHostLog, missingSetup, startEditor, type Editor } from './harness';
import { hoverLine, lineText, openFile, screenshot, waitForLineText } from './workbench';

const FIXTURE = path.join(FIXTURES, 'workspace');
const EXTENSION_ID = 'dockerfile-layers.dockerfile-layers';

// Lines of test/fixtures/e2e/workspace/Dockerfile (1-based) and the hint each must end with.
const EXPECTED_HINTS: [line: number, instruction: string, hint: string][] = [
  [2, 'FROM alpine:3.20 AS tools', 'not built'],
  [3, 'RUN apk add --no-cache curl', 'not built'],
  [5, 'FROM alpine:3.20 AS build', 'stage not in final image'],
  [10, 'FROM alpine:3.20', 'stage · in final image'],
  [11, 'ENV APP_HOME=/app', 'no layer · metadata'],
  [12, 'WORKDIR /app', '+ layer'],
  [13, 'COPY --from=build /src/app.sh ./app.sh', '+ layer'],
  [14, 'RUN adduser -D app', '+ layer'],
  [15, 'CMD ["./app.sh"]', 'no layer · metadata'],
];
const RUN_LINE = 14;

const missing = missingSetup();
if (missing.length > 0 && !process.env.CI) {
  test('extension in a real VS Code', { skip: `e2e setup absent (run .ci/e2e-setup.sh); missing: ${missing.join(', ')}` }, () => {});
} else {
  defineTests();
}

function defineTests(): void {
  // Measured before the editor starts, as that is when it loads dist/ (sources may change during the run).
  const stale = staleSource();
  let editor: Editor | undefined;

  before(async () => {
    assert.deepEqual(missing, [], 'CI is set but the e2e setup is absent: run .ci/e2e-setup.sh first');
    editor = await startEditor(FIXTURE);
  }, { timeout: 120_000 });

  after(async () => {
    await editor?.close();
  }, { timeout: 30_000 });

  test('the extension under test is the freshly built bundle', () => {
    assert.equal(stale, null, `dist/ is older than ${stale}: run \`npx tsc -b && node esbuild.mjs\` first`);
  });

  test('the Dockerfile shows the server\'s inlay hints', { timeout: 60_000 }, async () => {
    const page = need(editor).page;
    await openFile(page, 'Dockerfile');
    // Hints arrive once the server has started and analysed the file; wait for one, then read them all.
    await waitForLineText(page, RUN_LINE, '+ layer', 30_000);
    await screenshot(page, 'hints');
    for (const [line, instruction, hint] of EXPECTED_HINTS) {
      const text = await lineText(page, line);
      assert.ok(text !== null && text.startsWith(instruction), `line ${line} should be ${JSON.stringify(instruction)}, is ${JSON.stringify(text)}`);
      assert.ok(text.endsWith(hint) || text.includes(`${hint} ·`), `line ${line} should end with the hint "${hint}": ${JSON.stringify(text)}`);
    }
    assert.ok(extensionHostLog(need(editor)).includes(`_doActivateExtension ${EXTENSION_ID},`),
      'the extension host log should show the extension activating');
  });

  test('hovering a RUN line explains the layer for BuildKit', { timeout: 30_000 }, async () => {
    const page = need(editor).page;
    const hover = await hoverLine(page, RUN_LINE);
    await screenshot(page, 'hover-run');
    assert.match(hover, /RUN adds a layer \(BuildKit 0\.13 · Docker 26\.1, from dockerfileLayers\.engineVersion\)/, `hover text: ${hover}`);
  });
}

function need(editor: Editor | undefined): Editor {
  assert.ok(editor, 'the editor did not start');
  return editor;
}

/** The newest source file that is newer than the bundles, or null when the bundles are up to date. */
function staleSource(): string | null {
  const built = Math.min(...['dist/client.js', 'dist/server.js'].map((f) => mtime(path.join(REPO_ROOT, f))));
  const newest = ['client/src', 'server/src', 'package.json'].map((p) => newestFile(path.join(REPO_ROOT, p)))
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  return newest.mtimeMs > built ? path.relative(REPO_ROOT, newest.file) : null;
}

/** A file's modification time; 0 when it is missing, so a missing bundle counts as stale. */
function mtime(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
}

/** The most recently modified file at or under `p`. */
function newestFile(p: string): { file: string; mtimeMs: number } {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return { file: p, mtimeMs: stat.mtimeMs };
  return fs.readdirSync(p).map((name) => newestFile(path.join(p, name)))
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a), { file: p, mtimeMs: 0 });
}
