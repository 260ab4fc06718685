/**
 * `dockerfile-layers fix`: applies the layer diagnostics' quick fixes (all, or only some codes) and prints
 * a unified diff, or rewrites the file with --write. Fixes that overlap are applied in further passes.
 */
import { writeFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import type { FixArgs } from './args';
import { fixRepeatedly } from '../core/fixes/actions';
import { DEFAULT_SEVERITIES } from '../core/findings';

/** Runs the fix command on `text` read from `path`; returns the exit code (0 fixed or nothing to fix, 2 usage). */
export function runFix(args: FixArgs, path: string, text: string, out: (s: string) => void, err: (s: string) => void): number {
  const unknown = args.only.filter((c) => !(c in DEFAULT_SEVERITIES));
  if (unknown.length > 0) {
    err(`dockerfile-layers: --only ${unknown.join(', ')}: no such fix; codes: ${Object.keys(DEFAULT_SEVERITIES).join(', ')}`);
    return 2;
  }
  const { text: fixed, applied } = fixRepeatedly(text, { builder: args.builder, target: args.target, buildArgs: args.buildArgs }, args.only);
  if (applied.length === 0) {
    err(`${args.dockerfile}: nothing to fix`);
    return 0;
  }
  for (const f of applied) err(`${args.dockerfile}: ${f.code}: ${f.title}`);
  if (args.write) writeFileSync(path, fixed);
  else out(createTwoFilesPatch(args.dockerfile, args.dockerfile, text, fixed, '', '').trimEnd());
  return 0;
}
