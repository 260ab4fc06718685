/**
 * Builder support checks: features one builder lacks make the build fail there, which users should see
 * before they build (e.g. heredocs and RUN --mount under the legacy builder).
 */
import type { Builder, Finding } from './types';
import type { ResolvedModel } from './stages';

const BUILDKIT_ONLY_RUN_FLAGS = ['mount', 'network', 'security'];
const NEWER_COPY_FLAGS = ['link', 'parents', 'exclude'];

/** Findings for features the chosen builder does not support; errors fail the build, warnings may. */
export function checkBuilderSupport(model: ResolvedModel, builder: Builder): Finding[] {
  const findings: Finding[] = [];
  const hasSyntax = model.directives.syntax !== null;
  for (const ins of model.instructions) {
    const at = { line: ins.line, endLine: ins.endLine };
    const flags = ins.flags.map((f) => f.name);
    if (ins.heredocs.length > 0) {
      if (builder === 'legacy') findings.push({ code: 'legacy-unsupported', severity: 'error', message: 'The legacy builder does not support heredocs: the build fails. Use BuildKit.', ...at });
      else if (!hasSyntax) findings.push({ code: 'needs-syntax', severity: 'warning', message: 'Heredocs need Dockerfile syntax 1.4 or later: add `# syntax=docker/dockerfile:1` on the first line for older Docker Engines.', ...at });
    }
    if (builder === 'legacy') {
      const unsupported = flags.filter((f) => (ins.keyword === 'RUN' && BUILDKIT_ONLY_RUN_FLAGS.includes(f)) || (ins.keyword !== 'FROM' && (f === 'chmod' || NEWER_COPY_FLAGS.includes(f))));
      for (const f of unsupported) {
        findings.push({ code: 'legacy-unsupported', severity: 'error', message: `The legacy builder does not support ${ins.keyword} --${f}: the build fails. Use BuildKit.`, ...at });
      }
    } else if (!hasSyntax) {
      for (const f of flags.filter((n) => (ins.keyword === 'COPY' || ins.keyword === 'ADD') && NEWER_COPY_FLAGS.includes(n))) {
        findings.push({ code: 'needs-syntax', severity: 'warning', message: `${ins.keyword} --${f} needs a recent Dockerfile syntax: add \`# syntax=docker/dockerfile:1\` on the first line for older Docker Engines.`, ...at });
      }
    }
  }
  return findings.concat(checkScratchRuns(model));
}

/** A shell-form RUN in a stage built from scratch has no /bin/sh unless an earlier COPY or ADD brought one. */
function checkScratchRuns(model: ResolvedModel): Finding[] {
  const findings: Finding[] = [];
  for (const stage of model.stages) {
    if (stage.baseStage !== null || stage.base.toLowerCase() !== 'scratch') continue;
    for (const i of stage.instructions) {
      const ins = model.instructions[i];
      if (ins.keyword === 'COPY' || ins.keyword === 'ADD') break;
      if (ins.keyword === 'RUN' && ins.form === 'shell') {
        findings.push({
          code: 'run-in-scratch', severity: 'warning', line: ins.line, endLine: ins.endLine,
          message: 'This stage starts from scratch, which has no /bin/sh: a shell-form RUN fails here.',
        });
      }
    }
  }
  return findings;
}
