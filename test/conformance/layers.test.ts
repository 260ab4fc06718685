/**
 * Conformance: the CLI's per-instruction layer predictions against images a real Docker Engine builds.
 * For every fixture and both builders, each built stage is built (its own `--target`, cache keeps this fast),
 * its history entries are lined up with its instructions, and every `yes`/`no` must match what the builder
 * did. A `maybe` is recorded with what happened, and its reason must name what it depends on.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import {
  BASE_IMAGE, alignHistory, buildImage, buildkitBuiltStage, buildkitStageLabel, builderEnv, ensureBaseImage, readHistory,
  requireEngines, runProcess, tail, type Builder, type ImageHistory, type TestEngine,
} from './docker';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/conformance');
const CLI = path.join(ROOT, 'dist/cli.js');
const BUILDERS: Builder[] = ['buildkit', 'legacy'];

/** What a fixture asks for besides its Dockerfile (`fixture.json`, optional). */
interface FixtureOptions {
  target?: string;
  buildArgs?: Record<string, string>;
}

/** The CLI's `--json` report, as far as these tests read it. */
interface CliReport {
  builder: Builder;
  /** The target stage's name, or its index when it has no name. */
  target: string | number;
  stages: { index: number; name: string | null; base: string; line: number; inTarget: boolean }[];
  steps: { line: number; endLine: number; stage: number | null; keyword: string; layer: 'yes' | 'no' | 'maybe'; size: { bytes: number | null; source: string } }[];
}

type CliStage = CliReport['stages'][number];
type Observed = 'layer' | 'empty entry' | 'no entry';

/** A `maybe` step and what the builder actually did with it. */
interface MaybeOutcome {
  fixture: string;
  engine: string;
  builder: Builder;
  line: number;
  instruction: string;
  observed: Observed;
  reason: string;
}

const fixtures = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const maybes: MaybeOutcome[] = [];
/** Steps checked against real builds, per `engine builder`; failures the tool predicted, likewise. */
const stepsChecked = new Map<string, number>();
const failuresChecked = new Map<string, number>();
const bytesChecked = new Map<string, number>();
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);

test('the conformance fixtures cover every instruction kind and CRLF line endings', () => {
  const keywords = new Set<string>();
  for (const f of fixtures) {
    const text = readFileSync(path.join(FIXTURES, f, 'Dockerfile'), 'utf8');
    for (const s of analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }).steps) keywords.add(s.keyword);
  }
  const all = ['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER',
    'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL'];
  assert.deepEqual(all.filter((k) => !keywords.has(k)), []);
  assert.ok(fixtures.length >= 12, `only ${fixtures.length} fixtures`);
  // Git or an editor could quietly normalise the line endings; the fixture would then test nothing.
  assert.match(readFileSync(path.join(FIXTURES, 'crlf/Dockerfile'), 'utf8'), /\r\n/);
});

for (const fixture of fixtures) {
  test(`fixture ${fixture}`, async (t) => {
    const engines = await requireEngines();
    if ('skip' in engines) return void t.skip(engines.skip);
    for (const engine of engines) {
      await ensureBaseImage(engine);
      for (const builder of BUILDERS) {
        await t.test(`${engine.label} ${builder}`, async (tt) => checkFixture(tt, engine, fixture, builder));
      }
    }
  });
}

test('every maybe is explained by what it depends on', (t) => {
  for (const m of maybes) t.diagnostic(`maybe ${m.fixture}:${m.line} ${m.engine} ${m.builder} ${m.instruction} -> observed ${m.observed}`);
  const unexplained = maybes.filter((m) => !/depends on the (base image|command)/.test(m.reason));
  assert.deepEqual(unexplained.map((m) => `${m.fixture}:${m.line} (${m.engine} ${m.builder}): ${m.reason}`), []);
  for (const [k, n] of stepsChecked) t.diagnostic(`steps checked against real builds, ${k}: ${n}`);
  for (const [k, n] of bytesChecked) t.diagnostic(`COPY/ADD sizes checked against docker history, ${k}: ${n}`);
  for (const [k, n] of failuresChecked) t.diagnostic(`fixtures whose predicted build failure the real builder confirmed, ${k}: ${n}`);
});

function readFixture(fixture: string): { dir: string; text: string; options: FixtureOptions } {
  const dir = path.join(FIXTURES, fixture);
  const optionsFile = path.join(dir, 'fixture.json');
  const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as FixtureOptions) : {};
  return { dir, text: readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), options };
}

/** The CLI's report and the build-failing errors it predicts (`file:line: error: message [code]` on stderr). */
async function runCli(engine: TestEngine, dir: string, builder: Builder, options: FixtureOptions): Promise<{ report: CliReport; errors: string[] }> {
  const args = [CLI, 'analyze', path.join(dir, 'Dockerfile'), '--builder', builder, '--json'];
  if (options.target !== undefined) args.push('--target', options.target);
  for (const [k, v] of Object.entries(options.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  // The engine's own environment: the CLI asks that daemon for its version and models its rules.
  const r = await runProcess(process.execPath, args, engine.env);
  const errors = r.stderr.split('\n').filter((l) => /: error: /.test(l));
  assert.ok(r.code === 0 || (r.code === 1 && errors.length > 0), `CLI failed on ${dir} (${engine.label} ${builder}): ${r.stderr}`);
  return { report: JSON.parse(r.stdout) as CliReport, errors };
}

/**
 * A fixture the tool says fails on this engine and builder: the real build must fail, and its log must
 * contain the builder's own words that the error quotes (`... fails ("unknown flag: link")`).
 */
async function checkPredictedFailure(t: TestContext, engine: TestEngine, dir: string, fixture: string, builder: Builder, errors: string[]): Promise<void> {
  const args = ['build', ...(builder === 'buildkit' ? ['--progress=plain'] : []), '-t', `dl-conformance/${fixture}:${builder}-fails`, dir];
  const r = await runProcess(engine.cli, args, builderEnv(engine, builder));
  const log = `${r.stdout}\n${r.stderr}`;
  assert.notEqual(r.code, 0, `${fixture} (${engine.label} ${builder}): the tool predicts ${errors.join(' | ')}, but the build succeeded:\n${tail(log, 20)}`);
  const quoted = errors.map((e) => /\("([^"]+)"\)/.exec(e)?.[1]).filter((q): q is string => q !== undefined);
  assert.ok(quoted.length > 0, `${fixture}: the predicted error quotes no builder message: ${errors.join(' | ')}`);
  assert.ok(quoted.some((q) => log.toLowerCase().includes(q.toLowerCase())), `${fixture} (${engine.label} ${builder}): the build failed, but not with ${quoted.map((q) => `"${q}"`).join(' or ')}:\n${tail(log, 20)}`);
  bump(failuresChecked, `${engine.label} ${builder}`);
  t.diagnostic(`${fixture} ${engine.label} ${builder}: predicted and confirmed build failure: ${quoted.join(' | ')}`);
}

async function checkFixture(t: TestContext, engine: TestEngine, fixture: string, builder: Builder): Promise<void> {
  const { dir, text, options } = readFixture(fixture);
  const { report, errors } = await runCli(engine, dir, builder, options);
  if (errors.length > 0) return checkPredictedFailure(t, engine, dir, fixture, builder, errors);
  const model = { builder, target: options.target, buildArgs: options.buildArgs ?? {}, engine: { version: engine.serverVersion, source: 'setting' as const } };
  const reasons = analyzeDockerfile(text, model).steps;
  const lines = text.split(/\r\n|\r|\n/);
  const histories = new Map<number, ImageHistory>();
  const build = async (stage: CliStage): Promise<string> => {
    const target = stageTarget(report, stage);
    const tag = `dl-conformance/${fixture}:${builder}-${target ?? 'last'}`.toLowerCase();
    const log = await buildImage(engine, { context: dir, builder, tag, target, buildArgs: options.buildArgs });
    histories.set(stage.index, await readHistory(engine, tag));
    return log;
  };
  const targetLog = await build(targetStage(report));
  const contradictions: string[] = [];
  let observedLayers = 0;
  const targetIndex = targetStage(report).index;
  for (const stage of report.stages) {
    const steps = report.steps.filter((s) => s.stage === stage.index && s.keyword !== 'FROM');
    if (builder === 'legacy' && stage.index > targetIndex) {
      // After the target: the legacy builder stops at the target (its Step count ends there), so nothing may be predicted.
      const total = /^Step \d+\/(\d+) :/m.exec(targetLog)?.[1];
      const lastLine = report.steps.filter((s) => s.stage !== null && s.stage <= targetIndex).length + report.steps.filter((s) => s.stage === null).length;
      assert.equal(Number(total), lastLine, `${fixture}: the legacy builder's step count ends at the target`);
      for (const s of steps) if (s.layer !== 'no') contradictions.push(`line ${s.line} ${s.keyword}: predicted ${s.layer} for a stage after the target`);
      continue;
    }
    if (builder === 'buildkit' && !stage.inTarget) {
      // Not needed by the target: BuildKit must not have built it, and nothing may be predicted for it.
      const label = buildkitStageLabel(stage.index, stage.name);
      assert.equal(buildkitBuiltStage(targetLog, label), false, `${fixture}: BuildKit built stage ${label}, which the target does not need`);
      for (const s of steps) if (s.layer !== 'no') contradictions.push(`line ${s.line} ${s.keyword}: predicted ${s.layer} for a stage BuildKit does not build`);
      continue;
    }
    if (!histories.has(stage.index)) await build(stage);
    const own = await ownEntries(engine, report, stage, histories);
    const aligned = alignHistory(steps, own, builder);
    assert.deepEqual(aligned.unmatched.map((e) => e.createdBy), [], `${fixture} stage ${stage.index}: history entries no instruction accounts for`);
    steps.forEach((s, i) => {
      const entry = aligned.entries[i];
      const observed: Observed = entry === null ? 'no entry' : entry.emptyLayer ? 'empty entry' : 'layer';
      const entryText = entry === null ? 'no history entry' : `history entry ${JSON.stringify(entry.createdBy)} empty_layer=${entry.emptyLayer}`;
      if (observed === 'layer') observedLayers++;
      if ((s.keyword === 'COPY' || s.keyword === 'ADD') && entry !== null && s.size.source === 'exact') {
        // COPY/ADD bytes: exact predictions must equal the history's size of the step (COPY --from a
        // stage that runs commands is unknown before a build, and stays out of this check).
        bump(bytesChecked, `${engine.label} ${builder}`);
        if (s.size.bytes !== entry.bytes) contradictions.push(`${lines[s.line - 1].trim()} (line ${s.line}): predicted ${s.size.bytes} B (${s.size.source}), history says ${entry.bytes} B`);
      }
      bump(stepsChecked, `${engine.label} ${builder}`);
      const where = `${fixture}/Dockerfile line ${s.line} (${engine.label} ${builder}) ${lines[s.line - 1].trim()}`;
      if (s.layer === 'maybe') {
        const reason = reasons.find((r) => r.line === s.line - 1)?.reason ?? '(no reason)';
        maybes.push({ fixture, engine: engine.label, builder, line: s.line, instruction: lines[s.line - 1].trim(), observed, reason });
      } else if ((s.layer === 'yes') !== (observed === 'layer')) {
        contradictions.push(`${where}: predicted ${s.layer}, observed ${observed}: ${entryText}`);
      }
    });
  }
  const count = (flag: string): number => report.steps.filter((s) => s.layer === flag).length;
  t.diagnostic(`${fixture} ${engine.label} ${builder}: predicted yes ${count('yes')}, no ${count('no')}, maybe ${count('maybe')}; observed layers ${observedLayers}; contradictions ${contradictions.length}`);
  assert.deepEqual(contradictions, [], `${fixture} (${engine.label} ${builder}): predictions the real builder contradicts`);
}

function targetStage(report: CliReport): CliStage {
  const stage = report.stages.find((s) => s.name === report.target || s.index === report.target);
  assert.ok(stage !== undefined, `the CLI's target ${report.target} is not one of its stages`);
  return stage;
}

/** The `--target` that builds `stage`, or undefined for the last stage; docker can only target stages by name. */
function stageTarget(report: CliReport, stage: CliStage): string | undefined {
  if (stage.name !== null) return stage.name;
  assert.equal(stage.index, report.stages.length - 1, `stage ${stage.index} has no name, so it cannot be built on its own: name it in the fixture`);
  return undefined;
}

/** A stage's own history entries: its image's history without the entries of the image or stage it starts FROM. */
async function ownEntries(engine: TestEngine, report: CliReport, stage: CliStage, histories: Map<number, ImageHistory>): Promise<ImageHistory['entries']> {
  const image = histories.get(stage.index);
  assert.ok(image !== undefined);
  assert.equal(image.entries.filter((e) => !e.emptyLayer).length, image.layerCount, 'non-empty history entries and RootFS layers differ');
  const parent = report.stages.find((s) => s.index < stage.index && (s.name === stage.base.toLowerCase() || String(s.index) === stage.base));
  let base: ImageHistory;
  if (parent !== undefined) {
    if (!histories.has(parent.index)) throw new Error(`stage ${parent.index} must be checked before stage ${stage.index}`);
    base = histories.get(parent.index) as ImageHistory;
  } else {
    base = stage.base === 'scratch' ? { entries: [], layerCount: 0 } : await baseHistory(engine, stage.base);
  }
  assert.deepEqual(image.entries.slice(0, base.entries.length), base.entries, `stage ${stage.index} does not start with the history of ${stage.base}`);
  return image.entries.slice(base.entries.length);
}

const baseHistories = new Map<string, Promise<ImageHistory>>();

function baseHistory(engine: TestEngine, image: string): Promise<ImageHistory> {
  assert.equal(image, BASE_IMAGE, `fixtures must start FROM ${BASE_IMAGE}, a stage or scratch`);
  const key = `${engine.label} ${image}`;
  if (!baseHistories.has(key)) baseHistories.set(key, readHistory(engine, image));
  return baseHistories.get(key) as Promise<ImageHistory>;
}
