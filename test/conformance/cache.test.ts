/**
 * Conformance: build-cache predictions against real builds. Each scenario (./cacheScenarios) runs on every
 * engine with each builder it names: a first build through `dockerfile-layers build` (it records the
 * baseline), a mutation, the tool's prediction (`analyze --state-dir`), then a real second build with the
 * engine's docker CLI. The hits and misses that build's own output shows (read by ./cacheObserved, not by the
 * product's parser) must equal the prediction on every step shown; an `unknown` prediction counts as a
 * disagreement. Steps the builder does not show are recorded, not compared.
 *
 * DL_CACHE_HARNESS_ONLY=1 makes the first build with the docker CLI and skips the prediction: it checks only
 * that the builds succeed and that the builders do what each scenario says (`misses`). DL_CACHE_FILTER=REGEXP
 * runs only the runs whose `scenario engine builder` matches it.
 */
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { builderEnv, ensureBaseImage, ensureImage, makeBaseImage, requireEngines, runProcess, tail, type Builder, type TestEngine } from './docker';
import { observedSteps, parseDockerfile, type ObservedStep, type ParsedDockerfile } from './cacheObserved';
import { CACHE_SCENARIOS } from './cacheScenarios';
import { OTHER_BASE, type CacheScenario } from './cacheScenarios/types';
import { applyMutations, expectedMissLines, nonceProblems, writeContext, type SecondBuild } from './cacheHarness';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const BUILDERS: Builder[] = ['buildkit', 'legacy'];
const HARNESS_ONLY = process.env.DL_CACHE_HARNESS_ONLY === '1';
const FILTER = new RegExp(process.env.DL_CACHE_FILTER ?? '');

/** The CLI's `analyze --json` report, as far as this suite reads it. */
interface CliReport {
  steps: { line: number; endLine: number; stage: number | null; keyword: string; cache: { status: 'hit' | 'miss' | 'unknown'; reason: string } }[];
}

/** Totals per `engine builder`, for the summary. */
interface Tally {
  runs: number;
  /** Milliseconds the runs took, builds and CLI calls included, and the part of it each phase took. */
  ms: number;
  phases: Record<Phase, number>;
  compared: number;
  agreements: number;
  notShown: number;
  disagreements: string[];
  /** First builds through the tool that made their image but exited non-zero. */
  toolExits: number;
  /** Steps of `unpredictable`: their outcome is recorded, not judged. */
  unknowable: number;
}

type Phase = 'first build' | 'prediction' | 'second build';
const tallies = new Map<string, Tally>();
/** Per scenario, the observed misses of each `engine builder` (1-based lines), to show where they differ. */
const observedMisses = new Map<string, Map<string, number[]>>();
const skipped: string[] = [];
let nonceCounter = 0;
/** The images the runs made, per engine; removed at the end (the engines' other images and build caches stay). */
const leftImages = new Map<TestEngine, string[]>();

after(async () => {
  // Tags first: an image ID that a tag still names would not be removed.
  const tagsFirst = (images: string[]): string[] => [...images.filter((i) => !i.startsWith('sha256:')), ...images.filter((i) => i.startsWith('sha256:'))];
  for (const [engine, images] of leftImages) if (images.length > 0) await runProcess(engine.cli, ['rmi', ...tagsFirst(images)], engine.env);
});

const tallyOf = (key: string): Tally => {
  if (!tallies.has(key)) tallies.set(key, { runs: 0, ms: 0, phases: { 'first build': 0, prediction: 0, 'second build': 0 }, compared: 0, agreements: 0, notShown: 0, disagreements: [], toolExits: 0, unknowable: 0 });
  return tallies.get(key) as Tally;
};

/** One scenario per mutation the issue lists (by name); more scenarios cover nearby cases. */
const REQUIRED = [
  'edit a copied file', 'touch a copied file without changing it', 'change a .dockerignored file',
  'edit a file a ! exception re-includes', 'chmod a copied file', 'add a file a COPY glob matches', 'add a file no COPY glob matches',
  'edit a RUN instruction', 'edit only a comment', 'add blank lines and indentation', 'change a LABEL', 'change an ENV',
  'change an ARG default a RUN uses', 'pass a different --build-arg a RUN uses', 'pass a different --build-arg for an ARG no step uses',
  'pass a --build-arg no ARG declares', 'add a step at the end', 'add a step at the start', 'swap two steps',
  'edit a file only a stage outside the target uses', 'change the target to a later stage', 'change the base image',
  'a builder stage whose input changes while its output stays byte-identical',
  'a builder stage whose RUN makes byte-identical output from changed input', 'a COPY --from whose source stage rebuilds with new output',
  'edit a heredoc RUN body', 'edit a file a RUN --mount=type=bind reads', 'COPY --link after an earlier step changes',
  'change a COPY --chmod value', 'the contents of a --mount=type=cache do not matter', 'change the content of a --mount=type=secret',
];

test('the cache scenarios: at least 40 on both builders and engines, every listed mutation, a nonce in every stage', () => {
  const everywhere = CACHE_SCENARIOS.filter((s) => s.builders === undefined && (s.engines ?? 'all') === 'all');
  assert.ok(everywhere.length >= 40, `only ${everywhere.length} scenarios run with both builders on every engine`);
  const names = new Set(CACHE_SCENARIOS.map((s) => s.name));
  assert.equal(names.size, CACHE_SCENARIOS.length, 'scenario names must be unique');
  assert.deepEqual(REQUIRED.filter((n) => !names.has(n)), [], 'mutations the issue lists without a scenario');
  assert.deepEqual(CACHE_SCENARIOS.flatMap(nonceProblems), []);
});


for (const scenario of CACHE_SCENARIOS) {
  test(`cache: ${scenario.name}`, async (t) => {
    const engines = await requireEngines();
    if ('skip' in engines) return void t.skip(engines.skip);
    for (const engine of engines) {
      if (scenario.engines === 'buildkit-modern' && !atLeast(engine.serverVersion, 26, 1)) {
        skipped.push(`${scenario.name} on ${engine.label}: needs Docker 26.1 or later`);
        continue;
      }
      await ensureBaseImage(engine);
      await ensureOtherBase(engine);
      for (const builder of scenario.builders ?? BUILDERS) {
        if (!FILTER.test(`${scenario.name} ${engine.label} ${builder}`)) continue;
        await t.test(`${engine.label} ${builder}`, async (tt) => runScenario(tt, engine, builder, scenario));
      }
    }
  });
}

test('cache prediction summary: zero disagreements', (t) => {
  for (const [key, v] of [...tallies].sort()) {
    t.diagnostic(`${key}: ${v.runs} scenario runs in ${Math.round(v.ms / 1000)} s, ${v.compared} steps compared, ${v.agreements} agreements, ${v.unknowable} unknowable before the build (recorded, not judged), ${v.disagreements.length} disagreements, ${v.notShown} predicted steps the builder did not show; ${v.toolExits} first builds exited non-zero after building`);
    t.diagnostic(`${key}: time per phase: ${Object.entries(v.phases).map(([p, ms]) => `${p} ${Math.round(ms / 1000)} s`).join(', ')}`);
    for (const d of v.disagreements) t.diagnostic(`  disagreement (${key}): ${d}`);
  }
  for (const s of skipped) t.diagnostic(`skipped: ${s}`);
  for (const [name, byRun] of observedMisses) {
    const distinct = new Set([...byRun.values()].map((lines) => lines.join(',')));
    if (distinct.size > 1) t.diagnostic(`builders or engines differ: ${name}: ${[...byRun].map(([k, lines]) => `${k} misses [${lines.join(',')}]`).join('; ')}`);
  }
  if (HARNESS_ONLY) return void t.diagnostic('DL_CACHE_HARNESS_ONLY=1: the first builds ran without the tool and no prediction was checked');
  assert.deepEqual([...tallies.values()].flatMap((v) => v.disagreements), []);
});

async function runScenario(t: TestContext, engine: TestEngine, builder: Builder, scenario: CacheScenario): Promise<void> {
  const secret = scenario.secret;
  if (secret !== undefined && !HARNESS_ONLY && !(await toolBuildTakesSecrets())) {
    skipped.push(`${scenario.name} on ${engine.label} ${builder}: \`dockerfile-layers build\` has no --secret, so the first build cannot pass the secret`);
    return void t.skip('dockerfile-layers build has no --secret');
  }
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-cache-'));
  const images: string[] = [];
  try {
    const ctx = path.join(dir, 'ctx');
    const stateDir = path.join(dir, 'state');
    mkdirSync(stateDir);
    const nonce = `${process.pid.toString(36)}${Date.now().toString(36)}${(nonceCounter++).toString(36)}`;
    writeContext(ctx, scenario, nonce);
    const tally = tallyOf(`${engine.label} ${builder}`);
    const first = await timed(tally, 'first build', firstBuild(engine, builder, scenario, ctx, stateDir));
    images.push(first.image);
    if (first.failure !== null) tally.toolExits++;
    const second = applyMutations(ctx, scenario, nonce);
    const report = HARNESS_ONLY ? null : await timed(tally, 'prediction', predict(engine, builder, ctx, stateDir, second));
    const tag = `dl-test/cache-${slug(scenario.name)}:${builder}`;
    images.push(tag);
    const log = await timed(tally, 'second build', dockerBuild(engine, builder, ctx, { ...second, secret: scenario.secret ?? scenario.secondSecret }, tag));
    const dockerfile = parseDockerfile(second.dockerfile);
    const observed = observedSteps(log, dockerfile, builder);
    const disagreements = record(t, engine, builder, scenario, dockerfile, observed, report);
    assert.deepEqual(disagreements, [], `${scenario.name} (${engine.label} ${builder}): predictions the real second build contradicts`);
    const expected = expectedMissLines(scenario, builder, engine.serverVersion, dockerfile, nonce);
    const missed = observed.filter((o) => o.status === 'miss').map((o) => o.line);
    assert.deepEqual(missed, expected, `${scenario.name} (${engine.label} ${builder}): the builder's misses are not the scenario's (lines of the mutated Dockerfile)\n${observed.map((o) => `${o.status}: ${o.shownAs}`).join('\n')}`);
    assert.equal(first.failure, null, first.failure ?? '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    leftImages.set(engine, [...(leftImages.get(engine) ?? []), ...images]);
    tallyOf(`${engine.label} ${builder}`).ms += Date.now() - started;
  }
}

/** Compares the prediction with what the builder showed and records both; returns the disagreements. */
function record(t: TestContext, engine: TestEngine, builder: Builder, scenario: CacheScenario, dockerfile: ParsedDockerfile, observed: ObservedStep[], report: CliReport | null): string[] {
  const key = `${engine.label} ${builder}`;
  const tally = tallyOf(key);
  tally.runs++;
  if (!observedMisses.has(scenario.name)) observedMisses.set(scenario.name, new Map());
  observedMisses.get(scenario.name)?.set(key, observed.filter((o) => o.status === 'miss').map((o) => o.line));
  const shown = new Set(observed.map((o) => o.line));
  const unpredictable = new Set((scenario.unpredictable ?? []).map((text) => dockerfile.instructions.find((i) => i.keyword !== 'FROM' && i.text.includes(text))?.line));
  const disagreements: string[] = [];
  for (const o of report === null ? [] : observed) {
    const predicted = report?.steps.find((s) => s.line === o.line);
    tally.compared++;
    if (predicted?.cache.status === o.status) {
      tally.agreements++;
      continue;
    }
    if (unpredictable.has(o.line) && predicted !== undefined) {
      // Nothing before the build can know these bytes: the tool's answer and the builder's are recorded, not judged.
      tally.unknowable++;
      t.diagnostic(`${scenario.name}: line ${o.line} ${instructionText(dockerfile, o.line)}: builder ${o.status}, tool ${predicted.cache.status}, unknowable before the build (${predicted.cache.reason})`);
      continue;
    }
    const said = predicted === undefined ? 'no step for this line' : `${predicted.cache.status} (${predicted.cache.reason})`;
    disagreements.push(`${scenario.name}: line ${o.line} ${instructionText(dockerfile, o.line)}: builder ${o.status}, tool ${said}`);
  }
  const hidden = (report?.steps ?? []).filter((s) => s.keyword !== 'FROM' && !shown.has(s.line));
  tally.notShown += hidden.length;
  tally.disagreements.push(...disagreements);
  const outcome = observed.map((o) => `${o.line}:${o.status}`).join(' ');
  const notShown = hidden.map((s) => `${s.line} ${s.keyword} predicted ${s.cache.status}`).join(', ');
  t.diagnostic(`${scenario.name} ${key}: builder shows [${outcome}]${report === null ? '' : `; not shown: [${notShown}]; disagreements ${disagreements.length}`}`);
  for (const d of disagreements) t.diagnostic(`disagreement: ${d}`);
  return disagreements;
}

async function timed<T>(tally: Tally, phase: Phase, work: Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work;
  } finally {
    tally.phases[phase] += Date.now() - started;
  }
}

function instructionText(dockerfile: ParsedDockerfile, line: number): string {
  return dockerfile.instructions.find((i) => i.line === line)?.text.trim() ?? '?';
}

/**
 * `dockerfile-layers build` with a fresh state folder: it builds for real and records the baseline.
 * Resolves to the image it made (its ID, or a tag in harness-only mode) and, when it exited non-zero, why.
 */
async function firstBuild(engine: TestEngine, builder: Builder, scenario: CacheScenario, ctx: string, stateDir: string): Promise<{ image: string; failure: string | null }> {
  const options = { target: scenario.target, buildArgs: scenario.buildArgs ?? {}, secret: scenario.secret };
  if (HARNESS_ONLY) {
    const tag = `dl-test/cache-${slug(scenario.name)}:first-${builder}`;
    await dockerBuild(engine, builder, ctx, options, tag);
    return { image: tag, failure: null };
  }
  const args = [CLI, 'build', path.join(ctx, 'Dockerfile'), '--context', ctx, '--builder', builder, '--docker', engine.cli, '--state-dir', stateDir, '--json'];
  args.push(...targetAndArgs(options.target, options.buildArgs));
  if (options.secret !== undefined) args.push('--secret', `id=${options.secret.id},src=${path.join(ctx, options.secret.file)}`);
  const r = await runProcess(process.execPath, args, engine.env);
  const failure = `${scenario.name} (${engine.label} ${builder}): dockerfile-layers build exited ${r.code}:\n${tail(r.stderr, 10)}`;
  let image: string | undefined;
  try {
    image = (JSON.parse(r.stdout) as { image?: string }).image;
  } catch {
    assert.fail(`${failure}\n${tail(r.stdout, 10)}`);
  }
  assert.ok(image !== undefined && image !== '', `${failure}\n(no image in its JSON)`);
  // A build that made its image and printed its report but exits non-zero (say, the image could not be
  // measured) still recorded its baseline: the scenario goes on, and fails at its end.
  return { image, failure: r.code === 0 ? null : failure };
}

/** `dockerfile-layers analyze --state-dir`: the prediction for the second build. */
async function predict(engine: TestEngine, builder: Builder, ctx: string, stateDir: string, second: SecondBuild): Promise<CliReport> {
  const args = [CLI, 'analyze', path.join(ctx, 'Dockerfile'), '--context', ctx, '--builder', builder, '--state-dir', stateDir, '--json'];
  args.push(...targetAndArgs(second.target, second.buildArgs));
  const r = await runProcess(process.execPath, args, engine.env);
  assert.ok(r.code === 0 || r.code === 1, `dockerfile-layers analyze failed (exit ${r.code}):\n${tail(r.stderr, 30)}`);
  return JSON.parse(r.stdout) as CliReport;
}

/** `docker build` with the engine's own CLI; returns its output (stdout and stderr). */
async function dockerBuild(engine: TestEngine, builder: Builder, ctx: string, o: { target?: string; buildArgs: Record<string, string>; secret?: { id: string; file: string } }, tag: string): Promise<string> {
  const args = ['build', '-t', tag, ...(builder === 'buildkit' ? ['--progress=plain'] : []), ...targetAndArgs(o.target, o.buildArgs)];
  if (o.secret !== undefined) args.push('--secret', `id=${o.secret.id},src=${path.join(ctx, o.secret.file)}`);
  const r = await runProcess(engine.cli, [...args, ctx], builderEnv(engine, builder));
  const log = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `${engine.label} ${builder}: docker ${args.join(' ')} failed:\n${tail(log, 30)}`);
  return log;
}

function targetAndArgs(target: string | undefined, buildArgs: Record<string, string>): string[] {
  const args = target === undefined ? [] : ['--target', target];
  for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
  return args;
}

let secretSupport: Promise<boolean> | null = null;

/** Whether `dockerfile-layers build` takes `--secret` (its help lists it). */
function toolBuildTakesSecrets(): Promise<boolean> {
  secretSupport ??= runProcess(process.execPath, [CLI, 'build', '--help']).then((r) => /--secret\b/.test(r.stdout));
  return secretSupport;
}

/** The second base image: the first plus one file, made once and loaded into every engine. */
function ensureOtherBase(engine: TestEngine): Promise<void> {
  return ensureImage(engine, OTHER_BASE, async (first) => {
    if ((await runProcess(first.cli, ['image', 'inspect', OTHER_BASE], first.env)).code === 0) return;
    await makeBaseImage(first, OTHER_BASE, { 'extra.txt': 'the second base image\n' });
  });
}

function atLeast(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
}
