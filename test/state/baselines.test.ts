import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { BASELINE_FORMAT, type Baseline } from '../../server/src/core/cache/baseline';
import { baselinePath, MAX_BASELINE_BYTES, MAX_KNOWN_KEYS, readBaseline, stateDir, writeBaseline } from '../../server/src/state/baselines';

const root = mkdtempSync(join(tmpdir(), 'dl-state-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const DOCKERFILE = '/work/app/Dockerfile';
const IS_ROOT = process.getuid?.() === 0;

/** A fresh, not yet created state folder. */
function folder(): string {
  return join(root, `state-${folders++}`);
}

/** A baseline of DOCKERFILE whose steps have `keys`. */
function baseline(keys: string[], over: Partial<Baseline> = {}): Baseline {
  const steps = keys.map((key, line) => ({
    line, stage: 0, keyword: 'RUN', key, cache: 'miss' as const, seconds: 1.5, bytes: 100,
    inputs: { instruction: `RUN echo ${key}`, env: { A: '1' }, workdir: '/', user: 'root', shell: '/bin/sh -c', base: 'alpine', content: null },
  }));
  return { format: BASELINE_FORMAT, dockerfile: DOCKERFILE, target: null, builder: 'buildkit', engineVersion: '26.1.0', builtAt: 1_700_000_000_000, imageId: null, steps, knownKeys: [], ...over };
}

/** Writes `text` as the baseline file of DOCKERFILE (last stage, buildkit) in a new folder; returns the folder. */
function withFile(text: string): string {
  const dir = folder();
  const file = baselinePath(dir, DOCKERFILE, null, 'buildkit');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return dir;
}

/** JSON of a valid baseline after `change` (which may make it invalid). */
function changed(change: (b: Record<string, any>) => void): string {
  const b: Record<string, any> = structuredClone(baseline(['k1']));
  change(b);
  return JSON.stringify(b);
}

function check(dir: string, expected: { baseline: Baseline | null; problem: RegExp | null }) {
  const read = readBaseline(dir, DOCKERFILE, null, 'buildkit');
  // The measured bytes by key are checked on their own (knownBytes below).
  const { knownBytes: _bytes, ...got } = read.baseline ?? {};
  assert.deepEqual(read.baseline === null ? null : got, expected.baseline);
  if (expected.problem === null) assert.equal(read.problem, null);
  else assert.match(read.problem ?? '', expected.problem);
}

test('stateDir: the flag, else the env, else the per-user cache folder of the platform', () => {
  const env = { DOCKERFILE_LAYERS_STATE_DIR: '/env/state', XDG_CACHE_HOME: '/xdg', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' };
  const cases: [string | null, Record<string, string | undefined>, NodeJS.Platform, string][] = [
    ['/flag', env, 'linux', '/flag'],
    ['', env, 'linux', '/env/state'],
    [null, { ...env, DOCKERFILE_LAYERS_STATE_DIR: ' ' }, 'linux', '/xdg/dockerfile-layers'],
    [null, {}, 'linux', '/home/u/.cache/dockerfile-layers'],
    [null, { XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u/.cache/dockerfile-layers'],
    [null, { XDG_CACHE_HOME: '/xdg' }, 'freebsd', '/xdg/dockerfile-layers'],
    [null, { XDG_CACHE_HOME: '/xdg' }, 'darwin', '/home/u/Library/Caches/dockerfile-layers'],
    ['/flag', env, 'darwin', '/flag'],
    [null, env, 'win32', '/env/state'],
    [null, { LocalAppData: 'D:\\Local' }, 'win32', 'D:\\Local\\dockerfile-layers'],
    [null, { dockerfile_layers_state_dir: 'E:\\state' }, 'win32', 'E:\\state'],
    [null, {}, 'win32', 'C:\\Users\\u\\AppData\\Local\\dockerfile-layers'],
    ['F:\\flag', env, 'win32', 'F:\\flag'],
  ];
  for (const [flag, vars, platform, expected] of cases) {
    const home = platform === 'win32' ? 'C:\\Users\\u' : '/home/u';
    assert.equal(stateDir(flag, vars, home, platform), expected, `${flag} ${JSON.stringify(vars)} ${platform}`);
  }
});

test('file names: a readable prefix and a hash of Dockerfile, target and builder', () => {
  const cases: [string, RegExp][] = [
    ['/work/app/Dockerfile', /^app-Dockerfile-[0-9a-f]{32}\.json$/],
    ['C:\\src\\web\\prod.Dockerfile', /^web-prod\.Dockerfile-[0-9a-f]{32}\.json$/],
    ['/Dockerfile', /^root-Dockerfile-[0-9a-f]{32}\.json$/],
    ['/my app/Docker file', /^my_app-Docker_file-[0-9a-f]{32}\.json$/],
    ['', /^root-Dockerfile-[0-9a-f]{32}\.json$/],
  ];
  for (const [dockerfile, expected] of cases) assert.match(basename(baselinePath('/s', dockerfile, null, 'buildkit')), expected);
  const names = new Set([[null, 'buildkit'], ['null', 'buildkit'], [null, 'legacy'], ['build', 'buildkit']].map(([t, b]) => baselinePath('/s', DOCKERFILE, t, b as 'legacy')));
  assert.equal(names.size, 4);
  assert.equal(dirname(baselinePath('/s', DOCKERFILE, null, 'buildkit')), join('/s', 'baselines'));
});

test('round trip, one file per target and builder', () => {
  const dir = folder();
  const variants: [string | null, 'buildkit' | 'legacy'][] = [[null, 'buildkit'], ['build', 'buildkit'], [null, 'legacy']];
  for (const [target, builder] of variants) {
    assert.deepEqual(writeBaseline(dir, baseline([`${target}-${builder}`], { target, builder })), { written: true, problem: null });
  }
  for (const [target, builder] of variants) {
    const keys = [`${target}-${builder}`];
    assert.deepEqual(readBaseline(dir, DOCKERFILE, target, builder), { baseline: baseline(keys, { target, builder, knownKeys: keys, knownBytes: { [keys[0]]: 100 } }), problem: null });
  }
  assert.deepEqual(readBaseline(dir, DOCKERFILE, 'other', 'buildkit'), { baseline: null, problem: null });
  assert.deepEqual(readdirSync(join(dir, 'baselines')).filter((n) => !n.endsWith('.json')), []);
});

test('a missing folder: no baseline and no problem', () => {
  check(join(root, 'never', 'created'), { baseline: null, problem: null });
});

test('unusable files: no baseline, a one-sentence problem, and the next build replaces them', () => {
  const cases: [string, string, RegExp][] = [
    ['truncated JSON', '{"format": 1, "steps": [', /is corrupt \(not valid JSON\); the next build replaces it\.$/],
    ['empty file', '', /is corrupt \(not valid JSON\)/],
    ['not an object', '[1, 2]', /is corrupt \(not a JSON object\)/],
    ['no format', changed((b) => delete b.format), /has an older format \(format none; this version reads format 1\); the next build/],
    ['format 0', changed((b) => (b.format = 0)), /has an older format \(format 0; this version reads format 1\)/],
    ['format 2', changed((b) => (b.format = 2)), /has a newer format \(format 2; this version reads format 1\)/],
    ['format as text', changed((b) => (b.format = '1')), /is corrupt \(format is not a number\)/],
    ['no steps', changed((b) => delete b.steps), /is corrupt \(steps is missing\)/],
    ['steps not an array', changed((b) => (b.steps = {})), /is corrupt \(steps is not an array\)/],
    ['step key a number', changed((b) => (b.steps[0].key = 7)), /is corrupt \(steps\[0\]\.key is not a string\)/],
    ['step not an object', changed((b) => (b.steps[0] = null)), /is corrupt \(steps\[0\] is not an object\)/],
    ['unknown cache', changed((b) => (b.steps[0].cache = 'maybe')), /steps\[0\]\.cache is not "hit", "miss" or null\)/],
    ['negative seconds', changed((b) => (b.steps[0].seconds = -1)), /steps\[0\]\.seconds is not a non-negative number or null\)/],
    ['fractional line', changed((b) => (b.steps[0].line = 1.5)), /steps\[0\]\.line is not a non-negative integer\)/],
    ['env value a number', changed((b) => (b.steps[0].inputs.env.A = 1)), /steps\[0\]\.inputs\.env\["A"\] is not a string\)/],
    ['files a list', changed((b) => (b.steps[0].inputs.files = ['a'])), /steps\[0\]\.inputs\.files is not an object\)/],
    ['no inputs', changed((b) => delete b.steps[0].inputs), /steps\[0\]\.inputs is missing\)/],
    ['known key a number', changed((b) => (b.knownKeys = ['a', 1])), /knownKeys\[1\] is not a string\)/],
    ['unknown builder', changed((b) => (b.builder = 'kaniko')), /builder is not "buildkit" or "legacy"\)/],
    ['another Dockerfile', changed((b) => (b.dockerfile = '/elsewhere/Dockerfile')), /records the Dockerfile \/elsewhere\/Dockerfile, not \/work\/app\/Dockerfile; the next/],
    ['another target', changed((b) => (b.target = 'build')), /records the target build, not \(last stage\)/],
    ['another builder', changed((b) => (b.builder = 'legacy')), /records the builder legacy, not buildkit/],
  ];
  for (const [name, text, problem] of cases) {
    const dir = withFile(text);
    const read = readBaseline(dir, DOCKERFILE, null, 'buildkit');
    assert.equal(read.baseline, null, name);
    assert.match(read.problem ?? '', /^The baseline file \/.*\.json /, name);
    assert.match(read.problem ?? '', problem, name);
    assert.deepEqual(writeBaseline(dir, baseline(['new'])), { written: true, problem: null }, name);
    check(dir, { baseline: baseline(['new'], { knownKeys: ['new'] }), problem: null });
  }
});

test('a file over the size limit and a folder in its place are refused by name', () => {
  const big = withFile('{}');
  truncateSync(baselinePath(big, DOCKERFILE, null, 'buildkit'), MAX_BASELINE_BYTES + 1);
  check(big, { baseline: null, problem: /^The baseline file .* is over the 64 MB limit; the next build replaces it\.$/ });
  const dir = folder();
  mkdirSync(baselinePath(dir, DOCKERFILE, null, 'buildkit'), { recursive: true });
  check(dir, { baseline: null, problem: /^The baseline file .* cannot be read: it is a folder, not a file \(EISDIR\)\.$/ });
  assert.equal(writeBaseline(dir, baseline(['a'])).written, false);
  const huge = baseline(['a']);
  huge.steps[0].inputs.instruction = 'x'.repeat(MAX_BASELINE_BYTES);
  const refused = writeBaseline(big, huge);
  assert.equal(refused.written, false);
  assert.match(refused.problem ?? '', /^The baseline of \/work\/app\/Dockerfile is \d+ bytes, over the 64 MB limit, and was not written\.$/);
});

test('an unwritable state folder: a problem that names it, never a throw', () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'not a folder');
  const dir = join(file, 'state');
  const written = writeBaseline(dir, baseline(['a']));
  assert.deepEqual(written, {
    written: false,
    problem: `The state folder ${dir} is not writable (a part of the path is a file, not a folder (ENOTDIR)); choose another with --state-dir or DOCKERFILE_LAYERS_STATE_DIR.`,
  });
  check(dir, { baseline: null, problem: /cannot be read: a part of the path is a file, not a folder \(ENOTDIR\)\.$/ });
});

test('an unwritable state folder by its mode (not as root, where modes do not stop writes)', { skip: IS_ROOT }, () => {
  const dir = folder();
  mkdirSync(dir, { mode: 0o500 });
  assert.deepEqual(writeBaseline(dir, baseline(['a'])), {
    written: false,
    problem: `The state folder ${dir} is not writable (permission denied (EACCES)); choose another with --state-dir or DOCKERFILE_LAYERS_STATE_DIR.`,
  });
});

test('a malformed baseline to write is refused, never thrown', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...baseline(['a']), steps: null }, /^The baseline to write is malformed \(steps is not an array\); nothing was written\.$/],
    [{ ...baseline(['a']), builtAt: Number.NaN }, /builtAt is not a non-negative number/],
    [null, /malformed \(not a JSON object\)/],
    [{ ...baseline(['a']), extra: { self: null } }, /^The baseline of \/work\/app\/Dockerfile was not written: .*circular/],
  ];
  const circular = cases[3][0] as { extra: { self: unknown } };
  circular.extra.self = circular;
  for (const [value, problem] of cases) {
    const dir = folder();
    const written = writeBaseline(dir, value as Baseline);
    assert.equal(written.written, false);
    assert.match(written.problem ?? '', problem);
    assert.deepEqual(existsSync(dir) ? readdirSync(join(dir, 'baselines')) : [], []);
  }
});

test('knownKeys: the new steps first, then the old known keys and old steps, deduplicated and capped', () => {
  const dir = withFile(JSON.stringify(baseline(['s1', 'k2'], { knownKeys: ['k1', 'k2'] })));
  writeBaseline(dir, baseline(['n1', 'k1']));
  assert.deepEqual(readBaseline(dir, DOCKERFILE, null, 'buildkit').baseline?.knownKeys, ['n1', 'k1', 'k2', 's1']);
  writeBaseline(dir, baseline(['n2'], { knownKeys: ['n2', 'x'] }));
  assert.deepEqual(readBaseline(dir, DOCKERFILE, null, 'buildkit').baseline?.knownKeys, ['n2', 'x', 'n1', 'k1', 'k2', 's1']);
  const many = Array.from({ length: MAX_KNOWN_KEYS + 100 }, (_, i) => `m${i}`);
  writeBaseline(dir, baseline(['n3'], { knownKeys: many }));
  const known = readBaseline(dir, DOCKERFILE, null, 'buildkit').baseline?.knownKeys ?? [];
  assert.equal(known.length, MAX_KNOWN_KEYS);
  assert.deepEqual(known.slice(0, 3), ['n3', 'm0', 'm1']);
});

test('a stale lock is taken over; a live one is waited for, then the baseline is written unmerged', () => {
  const dir = folder();
  writeBaseline(dir, baseline(['old']));
  const lock = `${baselinePath(dir, DOCKERFILE, null, 'buildkit')}.lock`;
  writeFileSync(lock, 'a crashed build');
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(lock, minuteAgo, minuteAgo);
  assert.deepEqual(writeBaseline(dir, baseline(['new'])), { written: true, problem: null });
  assert.equal(existsSync(lock), false);
  check(dir, { baseline: baseline(['new'], { knownKeys: ['new', 'old'] }), problem: null });

  writeFileSync(lock, 'a running build');
  const started = Date.now();
  const written = writeBaseline(dir, baseline(['newer']), { waitMs: 200, staleMs: 30_000 });
  assert.ok(Date.now() - started >= 200);
  assert.deepEqual(written, {
    written: true,
    problem: `This baseline was written without the known cache keys of earlier builds: another build held the lock ${lock} for over 0.2 s.`,
  });
  assert.equal(readFileSync(lock, 'utf8'), 'a running build');
  check(dir, { baseline: baseline(['newer'], { knownKeys: ['newer'] }), problem: null });
});

/** Runs `script` in a child node with `args`; resolves with its stdout, rejects on a non-zero exit. */
function runNode(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

const MODULE = join(__dirname, '../../server/src/state/baselines.js');
const WRITER = `
const { writeBaseline } = require(${JSON.stringify(MODULE)});
const [dir, startAt, list] = process.argv.slice(1);
while (Date.now() < Number(startAt));
process.stdout.write(JSON.stringify(JSON.parse(list).map((b) => writeBaseline(dir, b))));`;
const READER = `
const { readBaseline } = require(${JSON.stringify(MODULE)});
const fs = require('fs');
const [dir, dockerfile, done] = process.argv.slice(1);
const problems = new Set();
let reads = 0;
while (!fs.existsSync(done)) { const r = readBaseline(dir, dockerfile, null, 'buildkit'); reads++; if (r.problem) problems.add(r.problem); }
process.stdout.write(JSON.stringify({ reads, problems: [...problems] }));`;

test('two builds at once: 8 processes writing 20 baselines each leave a whole file with every key once', async () => {
  const dir = folder();
  const done = join(root, 'writers-done');
  const startAt = String(Date.now() + 1_000);
  const written = Array.from({ length: 8 }, (_, p) => Array.from({ length: 20 }, (_, i) => baseline([`p${p}-${i}-a`, `p${p}-${i}-b`])));
  const reader = runNode(READER, [dir, DOCKERFILE, done]);
  const results = await Promise.all(written.map((list) => runNode(WRITER, [dir, startAt, JSON.stringify(list)])));
  writeFileSync(done, '');
  for (const result of results) {
    for (const r of JSON.parse(result)) assert.deepEqual(r, { written: true, problem: null });
  }
  const read = readBaseline(dir, DOCKERFILE, null, 'buildkit');
  assert.equal(read.problem, null);
  const steps = JSON.stringify(read.baseline?.steps);
  assert.ok(written.flat().some((b) => JSON.stringify(b.steps) === steps));
  const known = read.baseline?.knownKeys ?? [];
  assert.equal(new Set(known).size, known.length);
  assert.deepEqual([...known].sort(), written.flat().flatMap((b) => b.steps.map((s) => s.key)).sort());
  assert.deepEqual(readdirSync(join(dir, 'baselines')).filter((n) => !n.endsWith('.json')), []);
  const seen = JSON.parse(await reader);
  assert.deepEqual(seen.problems, []);
  assert.ok(seen.reads > 0);
});

test('knownBytes: every known key keeps the bytes a build measured for it, the newest build first', () => {
  const dir = folder();
  writeBaseline(dir, { ...baseline(['old', 'both']), steps: [{ ...baseline(['old']).steps[0], key: 'old', bytes: 7 }, { ...baseline(['both']).steps[0], key: 'both', bytes: 8 }] });
  writeBaseline(dir, { ...baseline(['new', 'both']), steps: [{ ...baseline(['new']).steps[0], key: 'new', bytes: 1 }, { ...baseline(['both']).steps[0], key: 'both', bytes: 9 }] });
  assert.deepEqual(readBaseline(dir, DOCKERFILE, null, 'buildkit').baseline?.knownBytes, { new: 1, both: 9, old: 7 });
});
