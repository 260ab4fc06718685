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
  BASE_IMAGE, alignHistory, buildImage, buildkitBuiltStage, buildkitStageLabel, ensureBaseImage, readHistory,
  requireDaemon, runProcess, type Builder, type ImageHistory,
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
  steps: { line: number; endLine: number; stage: number | null; keyword: string; layer: 'yes' | 'no' | 'maybe' }[];
}

type CliStage = CliReport['stages'][number];
type Observed = 'layer' | 'empty entry' | 'no entry';

/** A `maybe` step and what the builder actually did with it. */
interface MaybeOutcome {
  fixture: string;
  builder: Builder;
  line: number;
  instruction: string;
  observed: Observed;
  reason: string;
}

const fixtures = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const maybes: MaybeOutcome[] = [];
const stepsChecked: Record<Builder, number> = { buildkit: 0, legacy: 0 };

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
    const daemon = await requireDaemon();
    if ('skip' in daemon) return void t.skip(daemon.skip);
    await ensureBaseImage(daemon.cli);
    for (const builder of BUILDERS) {
      await t.test(builder, async (tt) => checkFixture(tt, daemon.cli, fixture, builder));
    }
  });
}

test('every maybe is explained by what it depends on', (t) => {
  for (const m of maybes) t.diagnostic(`maybe ${m.fixture}:${m.line} ${m.builder} ${m.instruction} -> observed ${m.observed}`);
  const unexplained = maybes.filter((m) => !/depends on the (base image|command)/.test(m.reason));
  assert.deepEqual(unexplained.map((m) => `${m.fixture}:${m.line} (${m.builder}): ${m.reason}`), []);
  t.diagnostic(`steps checked against real builds: buildkit ${stepsChecked.buildkit}, legacy ${stepsChecked.legacy}`);
});

function readFixture(fixture: string): { dir: string; text: string; options: FixtureOptions } {
  const dir = path.join(FIXTURES, fixture);
  const optionsFile = path.join(dir, 'fixture.json');
  const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as FixtureOptions) : {};
  return { dir, text: readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), options };
}

async function runCli(dir: string, builder: Builder, options: FixtureOptions): Promise<CliReport> {
  const args = [CLI, 'analyze', path.join(dir, 'Dockerfile'), '--builder', builder, '--json'];
  if (options.target !== undefined) args.push('--target', options.target);
  for (const [k, v] of Object.entries(options.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  const r = await runProcess(process.execPath, args);
  assert.equal(r.code, 0, `CLI failed on ${dir} (${builder}): ${r.stderr}`);
  return JSON.parse(r.stdout) as CliReport;
}

async function checkFixture(t: TestContext, cli: string, fixture: string, builder: Builder): Promise<void> {
  const { dir, text, options } = readFixture(fixture);
  const report = await runCli(dir, builder, options);
  const reasons = analyzeDockerfile(text, { builder, target: options.target, buildArgs: options.buildArgs ?? {} }).steps;
  const lines = text.split(/\r?\n/);
  const histories = new Map<number, ImageHistory>();
  const build = async (stage: CliStage): Promise<string> => {
    const target = stageTarget(report, stage);
    const tag = `dl-conformance/${fixture}:${builder}-${target ?? 'last'}`.toLowerCase();
    const log = await buildImage(cli, { context: dir, builder, tag, target, buildArgs: options.buildArgs });
    histories.set(stage.index, await readHistory(cli, tag));
    return log;
  };
  const targetLog = await build(targetStage(report));
  const contradictions: string[] = [];
  let observedLayers = 0;
  for (const stage of report.stages) {
    const steps = report.steps.filter((s) => s.stage === stage.index && s.keyword !== 'FROM');
    if (builder === 'buildkit' && !stage.inTarget) {
      // Not needed by the target: BuildKit must not have built it, and nothing may be predicted for it.
      const label = buildkitStageLabel(stage.index, stage.name);
      assert.equal(buildkitBuiltStage(targetLog, label), false, `${fixture}: BuildKit built stage ${label}, which the target does not need`);
      for (const s of steps) if (s.layer !== 'no') contradictions.push(`line ${s.line} ${s.keyword}: predicted ${s.layer} for a stage BuildKit does not build`);
      continue;
    }
    if (!histories.has(stage.index)) await build(stage);
    const own = await ownEntries(cli, report, stage, histories);
    const aligned = alignHistory(steps, own, builder);
    assert.deepEqual(aligned.unmatched.map((e) => e.createdBy), [], `${fixture} stage ${stage.index}: history entries no instruction accounts for`);
    steps.forEach((s, i) => {
      const entry = aligned.entries[i];
      const observed: Observed = entry === null ? 'no entry' : entry.emptyLayer ? 'empty entry' : 'layer';
      const entryText = entry === null ? 'no history entry' : `history entry ${JSON.stringify(entry.createdBy)} empty_layer=${entry.emptyLayer}`;
      if (observed === 'layer') observedLayers++;
      stepsChecked[builder]++;
      const where = `${fixture}/Dockerfile line ${s.line} (${builder}) ${lines[s.line - 1].trim()}`;
      if (s.layer === 'maybe') {
        const reason = reasons.find((r) => r.line === s.line - 1)?.reason ?? '(no reason)';
        maybes.push({ fixture, builder, line: s.line, instruction: lines[s.line - 1].trim(), observed, reason });
      } else if ((s.layer === 'yes') !== (observed === 'layer')) {
        contradictions.push(`${where}: predicted ${s.layer}, observed ${observed}: ${entryText}`);
      }
    });
  }
  const count = (flag: string): number => report.steps.filter((s) => s.layer === flag).length;
  t.diagnostic(`${fixture} ${builder}: predicted yes ${count('yes')}, no ${count('no')}, maybe ${count('maybe')}; observed layers ${observedLayers}; contradictions ${contradictions.length}`);
  assert.deepEqual(contradictions, [], `${fixture} (${builder}): predictions the real builder contradicts`);
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
async function ownEntries(cli: string, report: CliReport, stage: CliStage, histories: Map<number, ImageHistory>): Promise<ImageHistory['entries']> {
  const image = histories.get(stage.index);
  assert.ok(image !== undefined);
  assert.equal(image.entries.filter((e) => !e.emptyLayer).length, image.layerCount, 'non-empty history entries and RootFS layers differ');
  const parent = report.stages.find((s) => s.index < stage.index && (s.name === stage.base.toLowerCase() || String(s.index) === stage.base));
  let base: ImageHistory;
  if (parent !== undefined) {
    if (!histories.has(parent.index)) throw new Error(`stage ${parent.index} must be checked before stage ${stage.index}`);
    base = histories.get(parent.index) as ImageHistory;
  } else {
    base = stage.base === 'scratch' ? { entries: [], layerCount: 0 } : await baseHistory(cli, stage.base);
  }
  assert.deepEqual(image.entries.slice(0, base.entries.length), base.entries, `stage ${stage.index} does not start with the history of ${stage.base}`);
  return image.entries.slice(base.entries.length);
}

const baseHistories = new Map<string, Promise<ImageHistory>>();

function baseHistory(cli: string, image: string): Promise<ImageHistory> {
  assert.equal(image, BASE_IMAGE, `fixtures must start FROM ${BASE_IMAGE}, a stage or scratch`);
  if (!baseHistories.has(image)) baseHistories.set(image, readHistory(cli, image));
  return baseHistories.get(image) as Promise<ImageHistory>;
}
