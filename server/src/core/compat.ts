/**
 * Builder support checks: features one builder lacks make the build fail there, which users should see
 * before they build (e.g. heredocs and RUN --mount under the legacy builder).
 */
import type { Builder, Finding } from './types';
import type { ResolvedModel } from './stages';
import { featureSupport, shortVersion, type EngineModel, type Feature } from './engine';

const RUN_BUILDKIT_FLAGS = ['mount', 'network', 'security'];
const COPY_FLAG_FEATURES: Record<string, Feature> = { link: 'copy-link', exclude: 'copy-exclude', parents: 'copy-parents', chmod: 'copy-chmod' };

/**
 * Findings for features the chosen builder of the modelled engine does not build as written: errors when
 * the build fails (quoting the builder's own words), warnings when the builder silently ignores the feature.
 */
export function checkBuilderSupport(model: ResolvedModel, builder: Builder, engine: EngineModel): Finding[] {
  const findings: Finding[] = [];
  const syntax = model.directives.syntax !== null;
  const who = `${builder === 'legacy' ? 'The legacy builder' : 'BuildKit'} in Docker ${shortVersion(engine.version)}`;
  for (const ins of model.instructions) {
    const at = { line: ins.line, endLine: ins.endLine };
    const report = (feature: Feature, what: string): void => {
      const buildkitBuilds = featureSupport(feature, 'buildkit', engine, syntax).kind === 'supported';
      const f = supportFinding(featureSupport(feature, builder, engine, syntax), feature, what, who, builder, buildkitBuilds);
      if (f !== null) findings.push({ ...f, ...at });
    };
    if (ins.heredocs.length > 0 && ins.keyword !== 'ONBUILD') {
      report(ins.keyword === 'RUN' ? 'run-heredoc' : 'copy-heredoc', `${ins.keyword} with a heredoc`);
    }
    for (const f of ins.flags) {
      if (ins.keyword === 'RUN' && RUN_BUILDKIT_FLAGS.includes(f.name)) report('run-flags', `RUN --${f.name}`);
      const feature = COPY_FLAG_FEATURES[f.name];
      if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && feature !== undefined) report(feature, `${ins.keyword} --${f.name}`);
    }
  }
  return findings.concat(checkScratchRuns(model));
}

const IGNORED: Partial<Record<Feature, string>> = {
  'run-heredoc': 'runs only the first line of the instruction: the heredoc\'s lines never run',
  'copy-link': 'copies as if --link were not there (it adds the same layer; the layers below still invalidate it)',
  'copy-exclude': 'ignores --exclude: the excluded files are copied too',
  'copy-parents': 'ignores --parents: the sources are copied without their parent folders',
};

function supportFinding(
  support: ReturnType<typeof featureSupport>, feature: Feature, what: string, who: string, builder: Builder, buildkitBuilds: boolean,
): Omit<Finding, 'line' | 'endLine'> | null {
  if (support.kind === 'supported') return null;
  if (support.kind === 'ignored') {
    return { code: 'builder-ignores', severity: 'warning', message: `${who} ${IGNORED[feature] ?? `ignores ${what}`}. Use BuildKit.` };
  }
  const fix = builder === 'legacy' && buildkitBuilds
    ? 'Use BuildKit.'
    : 'Use a newer Docker Engine, or (BuildKit) name a newer Dockerfile syntax with `# syntax=docker/dockerfile:1` on the first line.';
  const code = builder === 'legacy' ? 'legacy-unsupported' : 'needs-syntax';
  return { code, severity: 'error', message: `${who} does not support ${what}: the build fails ("${support.quote}"). ${fix}` };
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
