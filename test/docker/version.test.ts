/**
 * The engine version the CLI models, end to end through `dist/cli.js` against the real engines (20.10 and 26.1):
 * the daemon's own version when one answers, the flag when given, the default with a note when the daemon is
 * down or never answers, and the default without a note under --no-docker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { requireEngines, runProcess } from '../conformance/docker';
import { DEFAULT_ENGINE } from '../../server/src/core/engine';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

interface Report { engine: { version: string; source: string; model: string } }

async function analyze(dir: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<{ report: Report; stderr: string; ms: number }> {
  const started = Date.now();
  const r = await runProcess(process.execPath, [CLI, 'analyze', path.join(dir, 'Dockerfile'), '--json', ...extra], env);
  assert.equal(r.code, 0, r.stderr);
  return { report: JSON.parse(r.stdout) as Report, stderr: r.stderr, ms: Date.now() - started };
}

function context(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-version-'));
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /x\n');
  return dir;
}

test('the CLI models the engine its DOCKER_HOST reaches (every engine)', async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return void t.skip(engines.skip);
  const dir = context();
  try {
    for (const engine of engines) {
      const { report } = await analyze(dir, engine.env);
      assert.deepEqual({ version: report.engine.version, source: report.engine.source }, { version: engine.serverVersion, source: 'daemon' }, engine.label);
      assert.match(report.engine.model, new RegExp(`^BuildKit [0-9.]+ · Docker ${engine.serverVersion.split('.').slice(0, 2).join('\\.')}$`));
      t.diagnostic(`${engine.label}: ${report.engine.model}`);
      const given = await analyze(dir, engine.env, ['--engine-version', '20.10', '--builder', 'legacy']);
      assert.deepEqual(given.report.engine, { version: '20.10', source: 'setting', model: 'legacy builder · Docker 20.10' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a daemon the CLI models the default engine and says why; --no-docker asks nothing', async () => {
  const dir = context();
  const held: Socket[] = [];
  const silent = createServer((s) => void held.push(s));
  const silentPath = path.join(dir, 'silent.sock');
  await new Promise<void>((resolve) => silent.listen(silentPath, resolve));
  try {
    const down = await analyze(dir, { ...process.env, DOCKER_HOST: `unix://${path.join(dir, 'none.sock')}` });
    assert.deepEqual(down.report.engine.source, 'default');
    assert.equal(down.report.engine.version, DEFAULT_ENGINE.version);
    assert.match(down.stderr, /note: The Docker daemon is not running: there is no socket at .*none\.sock\. Modelling Docker [\d.]+ \(the default\)\. --engine-version sets another\./);
    const hung = await analyze(dir, { ...process.env, DOCKER_HOST: `unix://${silentPath}` });
    assert.equal(hung.report.engine.source, 'default');
    assert.match(hung.stderr, /did not answer within 2 s/);
    assert.ok(hung.ms < 8000, `a daemon that never answers held the CLI for ${hung.ms} ms`);
    const offline = await analyze(dir, { ...process.env, DOCKER_HOST: `unix://${silentPath}` }, ['--no-docker']);
    assert.equal(offline.report.engine.source, 'default');
    assert.doesNotMatch(offline.stderr, /note:/);
  } finally {
    held.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});
