/**
 * Conformance of the "built elsewhere" inference: for scenarios of ./cacheScenarios, the first build is a plain
 * `docker build` (no recorded build), then the mutation, then `dockerfile-layers analyze --image TAG`'s inferred
 * status per step, then a real second build whose hits and misses are read from the builder's own output.
 * The inference is weaker than a recorded build (it sees the image's history and the files' times, not their
 * contents), so its agreement rate is reported per engine and builder, and must stay above a floor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { builderEnv, ensureBaseImage, requireEngines, runProcess, tail, type Builder, type TestEngine } from './docker';
import { observedSteps, parseDockerfile } from './cacheObserved';
import { CACHE_SCENARIOS } from './cacheScenarios';
import { applyMutations, writeContext } from './cacheHarness';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
/** Single-stage scenarios of the kinds a terminal or CI build leaves behind (no target or base change). */
const NAMES = [
  'edit a copied file', 'touch a copied file without changing it', 'change a .dockerignored file', 'chmod a copied file',
  'add a file a COPY glob matches', 'add a file no COPY glob matches', 'edit a RUN instruction', 'edit only a comment',
  'change a LABEL', 'change an ENV', 'add a step at the end', 'add a step at the start', 'swap two steps',
];
/** The least share of compared steps the inference must get right, per engine and builder. */
const FLOOR = 0.75;

const tallies = new Map<string, { compared: number; agreed: number; misses: string[] }>();

test('built elsewhere: inferred cache status against the real second build (every engine, both builders)', async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return void t.skip(engines.skip);
  const scenarios = CACHE_SCENARIOS.filter((s) => NAMES.includes(s.name));
  assert.equal(scenarios.length, NAMES.length, 'every named scenario exists');
  for (const engine of engines) {
    await ensureBaseImage(engine);
    for (const builder of ['buildkit', 'legacy'] as Builder[]) {
      for (const scenario of scenarios) await runOne(engine, builder, scenario);
      const v = tallies.get(`${engine.label} ${builder}`) ?? { compared: 0, agreed: 0, misses: [] };
      const rate = v.compared === 0 ? 0 : v.agreed / v.compared;
      t.diagnostic(`${engine.label} ${builder}: ${scenarios.length} scenarios, ${v.compared} steps compared, ${v.agreed} inferred right (${Math.round(rate * 100)}%)`);
      for (const m of v.misses) t.diagnostic(`  wrong: ${m}`);
      assert.ok(rate >= FLOOR, `${engine.label} ${builder}: inference agreed on ${Math.round(rate * 100)}% of steps, below ${FLOOR * 100}%`);
    }
  }
});

async function runOne(engine: TestEngine, builder: Builder, scenario: (typeof CACHE_SCENARIOS)[number]): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-elsewhere-'));
  const tag = `dl-test/elsewhere:${builder}-${process.pid}`;
  try {
    const ctx = path.join(dir, 'ctx');
    const state = path.join(dir, 'state');
    mkdirSync(state);
    const nonce = `e${process.pid.toString(36)}${Date.now().toString(36)}`;
    writeContext(ctx, scenario, nonce);
    await dockerBuild(engine, builder, ctx, tag);
    // History times are whole seconds: mutate in a later second, as a user editing after a build does.
    await new Promise((r) => setTimeout(r, 2100));
    const second = applyMutations(ctx, scenario, nonce);
    const r = await runProcess(process.execPath, [CLI, 'analyze', path.join(ctx, 'Dockerfile'), '--context', ctx, '--builder', builder, '--image', tag, '--state-dir', state, '--json'], engine.env);
    assert.ok(r.code === 0 || r.code === 1, `analyze --image failed:\n${tail(r.stderr, 20)}`);
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { steps: Array<{ line: number; cache: { status: string; source: string; reason: string } }> };
    const observed = observedSteps(await dockerBuild(engine, builder, ctx, `${tag}-2`), parseDockerfile(second.dockerfile), builder);
    const key = `${engine.label} ${builder}`;
    const v = tallies.get(key) ?? { compared: 0, agreed: 0, misses: [] };
    tallies.set(key, v);
    for (const o of observed) {
      const predicted = report.steps.find((s) => s.line === o.line);
      assert.equal(predicted?.cache.source, 'inferred', `${scenario.name}: line ${o.line} is inferred`);
      v.compared++;
      if (predicted?.cache.status === o.status) v.agreed++;
      else v.misses.push(`${scenario.name}: line ${o.line}: builder ${o.status}, inferred ${predicted?.cache.status} (${predicted?.cache.reason.slice(0, 120)})`);
    }
  } finally {
    await runProcess(engine.cli, ['rmi', '-f', tag, `${tag}-2`], engine.env);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function dockerBuild(engine: TestEngine, builder: Builder, ctx: string, tag: string): Promise<string> {
  const args = ['build', '-t', tag, ...(builder === 'buildkit' ? ['--progress=plain'] : []), ctx];
  const r = await runProcess(engine.cli, args, builderEnv(engine, builder));
  assert.equal(r.code, 0, `${engine.label} ${builder}: docker build failed:\n${tail(r.stdout + r.stderr, 30)}`);
  return `${r.stdout}\n${r.stderr}`;
}
