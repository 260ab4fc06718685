/**
 * The file work of the cache conformance suite: writing a scenario's context, applying its mutation, and
 * checking its data (a nonce in every stage's first step, expected misses that name one instruction each).
 */
import { appendFileSync, chmodSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Builder } from './docker';
import { parseDockerfile, type ParsedDockerfile } from './cacheObserved';
import type { CacheScenario, Mutation } from './cacheScenarios/types';

const NONCE = '{{NONCE}}';

/** What the second build is asked for after the mutation. */
export interface SecondBuild {
  dockerfile: string;
  target: string | undefined;
  buildArgs: Record<string, string>;
}

/** Writes the scenario's files, links and Dockerfile into `ctx` with the nonce filled in; files get mode 0644. */
export function writeContext(ctx: string, scenario: CacheScenario, nonce: string): void {
  mkdirSync(ctx, { recursive: true });
  for (const [file, content] of Object.entries(scenario.files)) writeFile(ctx, file, content.replaceAll(NONCE, nonce));
  for (const [link, target] of Object.entries(scenario.links ?? {})) {
    mkdirSync(path.dirname(path.join(ctx, link)), { recursive: true });
    symlinkSync(target, path.join(ctx, link));
  }
  writeFile(ctx, 'Dockerfile', scenario.dockerfile.replaceAll(NONCE, nonce));
}

function writeFile(ctx: string, file: string, content: string): void {
  const full = path.join(ctx, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, 0o644);
}

/** Applies the scenario's mutations to `ctx`; returns the Dockerfile, target and build args of the second build. */
export function applyMutations(ctx: string, scenario: CacheScenario, nonce: string): SecondBuild {
  const second: SecondBuild = { dockerfile: '', target: scenario.target, buildArgs: scenario.buildArgs ?? {} };
  for (const m of scenario.mutate) apply(ctx, m, nonce, second);
  second.dockerfile = readFileSync(path.join(ctx, 'Dockerfile'), 'utf8');
  return second;
}

function apply(ctx: string, m: Mutation, nonce: string, second: SecondBuild): void {
  const fill = (s: string): string => s.replaceAll(NONCE, nonce);
  const at = (p: string): string => path.join(ctx, p);
  switch (m.op) {
    case 'write': return writeFile(ctx, m.path, fill(m.content));
    case 'append': return appendFileSync(at(m.path), fill(m.content));
    case 'touch': {
      const st = statSync(at(m.path));
      return utimesSync(at(m.path), st.atime, new Date(st.mtimeMs + 3_600_000));
    }
    case 'chmod': return chmodSync(at(m.path), m.mode);
    case 'rm': return rmSync(at(m.path), { recursive: true });
    case 'mkdir': return void mkdirSync(at(m.path), { recursive: true });
    case 'symlink':
      rmSync(at(m.path), { force: true });
      return symlinkSync(m.target, at(m.path));
    case 'edit': return editDockerfile(at('Dockerfile'), fill(m.from), fill(m.to));
    case 'buildArgs': return void (second.buildArgs = m.args);
    case 'target': return void (second.target = m.target ?? undefined);
  }
}

function editDockerfile(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`harness: the edit's text ${JSON.stringify(from)} occurs ${count} times in the Dockerfile`);
  writeFileSync(file, text.replace(from, () => to));
}

/**
 * The 1-based lines the scenario says the builder misses (`builder@major.minor` before `builder`), sorted.
 * Each text names the instruction that equals it, else the one instruction that contains it.
 */
export function expectedMissLines(scenario: CacheScenario, builder: Builder, engineVersion: string, dockerfile: ParsedDockerfile, nonce: string): number[] {
  const minor = /^\d+\.\d+/.exec(engineVersion)?.[0] ?? engineVersion;
  const texts = scenario.misses[`${builder}@${minor}`] ?? scenario.misses[builder];
  if (texts === undefined) throw new Error(`harness: scenario "${scenario.name}" says nothing about ${builder}'s misses`);
  return texts.map((text) => lineOf(dockerfile, text.replaceAll(NONCE, nonce), scenario.name)).sort((a, b) => a - b);
}

function lineOf(dockerfile: ParsedDockerfile, text: string, scenario: string): number {
  const own = dockerfile.instructions.filter((i) => i.keyword !== 'FROM');
  const exact = own.filter((i) => i.text.trim() === text);
  const found = exact.length > 0 ? exact : own.filter((i) => i.text.includes(text));
  if (found.length !== 1) throw new Error(`harness: "${text}" names ${found.length} instructions of scenario "${scenario}"`);
  return found[0].line;
}

/**
 * Stages of the scenario (before and after its Dockerfile edits) whose first step after `FROM <image>` does
 * not carry the nonce: its text has none and it copies no file (or `COPY --from` output) that has one.
 */
export function nonceProblems(scenario: CacheScenario): string[] {
  let text = scenario.dockerfile;
  const versions = [text];
  for (const m of scenario.mutate) if (m.op === 'edit') versions.push((text = text.replace(m.from, m.to)));
  const files = { ...scenario.files };
  for (const m of scenario.mutate) if (m.op === 'write') files[m.path] = m.content;
  return versions.flatMap((v) => {
    const parsed = parseDockerfile(v);
    return parsed.stages.filter((s) => !parsed.stages.some((e) => e.index < s.index && (e.name === s.base.toLowerCase() || String(e.index) === s.base)))
      .map((s) => parsed.instructions.find((i) => i.stage === s.index && i.keyword !== 'FROM'))
      .filter((first) => first === undefined || !carriesNonce(first.text, first.keyword, files))
      .map((first) => `${scenario.name}: ${first === undefined ? 'a stage has no steps' : `"${first.text}" carries no nonce`}`);
  });
}

function carriesNonce(text: string, keyword: string, files: Record<string, string>): boolean {
  if (text.includes(NONCE) || /--from=/.test(text)) return true;
  if (keyword !== 'COPY' && keyword !== 'ADD') return false;
  const sources = text.split(/\s+/).slice(1).filter((w) => !w.startsWith('--')).slice(0, -1);
  return sources.map((src) => src.replace(/\/+$/, '')).some((src) => {
    const pattern = new RegExp(`^${src.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}(/|$)`);
    return Object.entries(files).some(([file, content]) => (src === '.' || pattern.test(file)) && content.includes(NONCE));
  });
}
