import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../server/src/cli';
import { EOLS, dockerfile } from '../helpers';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
  return { code, out, err };
}

async function withDockerfile(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dl-fix-'));
  try {
    writeFileSync(join(dir, 'Dockerfile'), text);
    await fn(join(dir, 'Dockerfile'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LINES = ['FROM a', 'RUN apt-get update', 'RUN apt-get install -y jq', 'RUN touch /x', 'RUN rm /x'];

test('fix prints a unified diff and leaves the file alone', async () => {
  for (const { name, eol } of EOLS) {
    await withDockerfile(dockerfile(LINES, eol), async (path) => {
      const r = await run(['fix', path, '--only', 'merge-runs']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^-RUN apt-get install -y jq\r?$/m, `${name}: ${r.out}`);
      assert.match(r.out, /^\+ {4}apt-get install -y jq && \\\r?$/m, `${name}: ${r.out}`);
      assert.match(r.err, /merge-runs: Merge 4 RUN steps \(lines 2-5\) into one: 3 layers fewer/);
      assert.equal(readFileSync(path, 'utf8'), dockerfile(LINES, eol), `${name}: file unchanged`);
    });
  }
});

test('fix --write applies every fix, pass after pass, keeping line ends', async () => {
  for (const { name, eol } of EOLS) {
    await withDockerfile(dockerfile(LINES, eol), async (path) => {
      const r = await run(['fix', path, '--write']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, '');
      assert.equal(readFileSync(path, 'utf8'), dockerfile([
        'FROM a', 'RUN apt-get update && \\', '    apt-get install --no-install-recommends -y jq && \\', '    touch /x && \\', '    rm /x && \\',
        '    rm -rf /var/lib/apt/lists/*',
      ], eol), name);
      const again = await run(['fix', path]);
      assert.match(again.err, /nothing to fix/);
    });
  }
});

test('fix: --only with an unknown code is a usage error', async () => {
  await withDockerfile('FROM a\n', async (path) => {
    const r = await run(['fix', path, '--only', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--only nope: no such fix; codes: merge-runs, /);
  });
});
