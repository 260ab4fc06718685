/**
 * Rule `copy-before-install`: `COPY . <dir>` (or another copy of the whole context) right before a RUN that
 * installs dependencies. Any source edit changes that COPY's cache key, so the install reruns on every
 * build. The fix copies the dependency manifests first, runs the install, then copies the rest.
 */
import type { ResolvedInstruction } from '../stages';
import { deleteInstruction, runBody, scanScript, shellQuote, commandsOf } from '../fixes/runText';
import type { Fix } from '../fixes/edits';
import { findingAt, type RuleContext, type RuleHit } from './context';
import { commandWords, isPipInstall, subcommand } from './paths';

export const COPY_BEFORE_INSTALL = 'copy-before-install';

/** An install command and the manifests it reads; null when it is not a dependency install. */
export function installManifests(words: string[]): { tool: string; manifests: string[] } | null {
  const name = words[0] ?? '';
  const sub = subcommand(words);
  if (name === 'npm' && ['install', 'i', 'ci'].includes(sub) && words.slice(2).every((w) => w.startsWith('-'))) {
    return { tool: `npm ${sub}`, manifests: ['package.json', 'package-lock.json*', 'npm-shrinkwrap.json*'] };
  }
  if (name === 'yarn' && (sub === '' || sub === 'install')) return { tool: 'yarn install', manifests: ['package.json', 'yarn.lock*'] };
  if (name === 'pnpm' && sub === 'install') return { tool: 'pnpm install', manifests: ['package.json', 'pnpm-lock.yaml*'] };
  if (isPipInstall(words)) {
    const files = requirementFiles(words);
    return files === null ? null : { tool: 'pip install', manifests: files };
  }
  if (name === 'poetry' && sub === 'install' && words.includes('--no-root')) return { tool: 'poetry install', manifests: ['pyproject.toml', 'poetry.lock*'] };
  if (name === 'go' && sub === 'mod' && words.includes('download')) return { tool: 'go mod download', manifests: ['go.mod', 'go.sum*'] };
  if (name === 'cargo' && sub === 'fetch') return { tool: 'cargo fetch', manifests: ['Cargo.toml', 'Cargo.lock*'] };
  if ((name === 'bundle' && (sub === 'install' || sub === '')) || (name === 'bundler' && sub === 'install')) return { tool: 'bundle install', manifests: ['Gemfile', 'Gemfile.lock*'] };
  if (name === 'composer' && sub === 'install' && words.includes('--no-autoloader')) return { tool: 'composer install', manifests: ['composer.json', 'composer.lock*'] };
  if (name === 'dotnet' && sub === 'restore' && words.length === 2) return { tool: 'dotnet restore', manifests: ['*.csproj'] };
  return null;
}

/** The `-r FILE` arguments of a pip install that installs nothing else (a bare `pip install .` needs the sources). */
function requirementFiles(words: string[]): string[] | null {
  const files: string[] = [];
  const start = words.indexOf('install') + 1;
  for (let i = start; i < words.length; i++) {
    const w = words[i];
    if (w === '-r' || w === '--requirement' || w === '-c' || w === '--constraint') {
      if (words[i + 1] === undefined || words[i + 1].includes('/')) return null;
      files.push(words[++i]);
    } else if (!w.startsWith('-')) {
      return null;
    }
  }
  return files.length > 0 ? files : null;
}

/** Finds `COPY . <dir>` directly followed (comments aside) by a RUN that only installs dependencies. */
export function checkCopyOrder(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  const list = ctx.model.instructions;
  for (let i = 0; i + 1 < list.length; i++) {
    const copy = list[i];
    const run = list[i + 1];
    if (copy.keyword !== 'COPY' || run.keyword !== 'RUN' || copy.stage !== run.stage || !copiesContext(copy)) continue;
    const installs = installsOf(run);
    if (installs === null) continue;
    hits.push(orderHit(ctx, copy, run, installs));
  }
  return hits;
}

function copiesContext(copy: ResolvedInstruction): boolean {
  if (copy.heredocs.length > 0 || copy.flags.some((f) => f.name === 'from') || copy.expanded.length < 2) return false;
  return copy.expanded.slice(0, -1).some((s) => s === '.' || s === './' || s === '*' || s === './*');
}

/** The installs of a RUN made only of dependency installs (and `&&`); null otherwise. */
function installsOf(run: ResolvedInstruction): { tool: string; manifests: string[] }[] | null {
  if (run.form !== 'shell' || run.heredocs.length > 0) return null;
  const scan = scanScript(run.args);
  if (scan.grouping || scan.comment || [...scan.separators].some((s) => s !== '&&')) return null;
  const found = commandsOf(run.args).map((c) => installManifests(commandWords(c)));
  return found.length > 0 && found.every((f) => f !== null) ? (found as { tool: string; manifests: string[] }[]) : null;
}

function orderHit(ctx: RuleContext, copy: ResolvedInstruction, run: ResolvedInstruction, installs: { tool: string; manifests: string[] }[]): RuleHit {
  const manifests = [...new Set(installs.flatMap((i) => i.manifests))];
  const tools = [...new Set(installs.map((i) => `\`${i.tool}\``))].join(' and ');
  const message = `This COPY copies the whole build context right before ${tools} on line ${run.line + 1}: any source edit changes this step, so the next build reruns the install. Copy ${manifests.map((m) => m.replace(/\*$/, '')).join(', ')} first, install, then copy the rest.`;
  return { finding: findingAt(ctx, copy, COPY_BEFORE_INSTALL, message), span: { line: copy.line, endLine: run.endLine }, fix: orderFix(ctx, copy, run, manifests, tools) };
}

/** `COPY <manifests> <dir>/`, the install moved up, then the original COPY; null when unsure of the text. */
function orderFix(ctx: RuleContext, copy: ResolvedInstruction, run: ResolvedInstruction, manifests: string[], tools: string): Fix | null {
  const body = runBody(ctx, run);
  if (body === null || copy.line !== copy.endLine || ctx.lines.slice(copy.endLine + 1, run.line).some((l) => l.trim() !== '')) return null;
  const dest = copy.words[copy.words.length - 1];
  const flags = copy.flags.filter((f) => f.name === 'chown' || f.name === 'chmod' || f.name === 'link').map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`));
  const manifestCopy = ['COPY', ...flags, ...manifests.map((m) => (m.endsWith('*') ? m : shellQuote(m))), dest.endsWith('/') ? dest : `${dest}/`].join(' ');
  const indent = /^\s*/.exec(ctx.lines[copy.line])?.[0] ?? '';
  const runLines = ctx.lines.slice(run.line, run.endLine + 1);
  runLines[runLines.length - 1] = runLines[runLines.length - 1].trimEnd();
  const newText = [indent + manifestCopy, ...runLines, ''].join(ctx.eol);
  const insert = { range: { start: { line: copy.line, character: 0 }, end: { line: copy.line, character: 0 } }, newText };
  return { code: COPY_BEFORE_INSTALL, title: `Copy ${manifests.map((m) => m.replace(/\*$/, '')).join(', ')} first, then run ${tools}, then copy the rest: source edits no longer rerun the install (1 more layer)`, edits: [insert, deleteInstruction(ctx, run)] };
}
