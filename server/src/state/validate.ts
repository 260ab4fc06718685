/**
 * The shape check of a baseline read from disk: the format first (older and newer files get their own
 * message), then every field the prediction reads. Written here rather than with a schema library because it
 * is one fixed shape, and a library would add a runtime dependency to the bundled server and CLI.
 */
import { BASELINE_FORMAT, type Baseline } from '../core/cache/baseline';

/** Why a value is not what a field holds ("steps[2].key is not a string"), or null when it is. */
type Check = (value: unknown, at: string) => string | null;

function is(what: string, test: (value: unknown) => boolean): Check {
  return (value, at) => (test(value) ? null : `${at} is not ${what}`);
}

function orNull(check: Check): Check {
  return (value, at) => {
    const problem = value === null ? null : check(value, at);
    return problem && `${problem} or null`;
  };
}

function optional(check: Check): Check {
  return (value, at) => (value === undefined ? null : check(value, at));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(check: Check): Check {
  return (value, at) => {
    if (!Array.isArray(value)) return `${at} is not an array`;
    for (let i = 0; i < value.length; i++) {
      const problem = check(value[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };
}

function recordOf(check: Check): Check {
  return (value, at) => {
    if (!isObject(value)) return `${at} is not an object`;
    for (const [key, item] of Object.entries(value)) {
      const problem = check(item, `${at}[${JSON.stringify(key)}]`);
      if (problem) return problem;
    }
    return null;
  };
}

function shape(fields: Record<string, Check>): Check {
  return (value, at) => {
    if (!isObject(value)) return `${at} is not an object`;
    for (const [name, check] of Object.entries(fields)) {
      const field = at === '' ? name : `${at}.${name}`;
      const problem = check(value[name], field);
      if (problem) return value[name] === undefined ? `${field} is missing` : problem;
    }
    return null;
  };
}

const text = is('a string', (v) => typeof v === 'string');
const count = is('a non-negative integer', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
const amount = is('a non-negative number', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
const flag = is('a boolean', (v) => typeof v === 'boolean');

const keyInputs = shape({
  instruction: text, env: recordOf(text), workdir: text, user: text, shell: text,
  base: orNull(text), content: orNull(text), files: optional(recordOf(text)), filesTruncated: optional(flag),
});

const step = shape({
  line: count, stage: count, keyword: text, key: text, inputs: keyInputs,
  cache: is('"hit", "miss" or null', (v) => v === 'hit' || v === 'miss' || v === null),
  seconds: orNull(amount), bytes: orNull(amount),
});

const baseline = shape({
  dockerfile: text, target: orNull(text),
  builder: is('"buildkit" or "legacy"', (v) => v === 'buildkit' || v === 'legacy'),
  engineVersion: orNull(text), builtAt: amount, imageId: orNull(text), steps: arrayOf(step), knownKeys: arrayOf(text),
  baseImages: optional(recordOf(text)), knownBytes: optional(recordOf(amount)),
});

/** What checking a parsed file found: the baseline, or why it is unusable and whether it is of another format. */
export type Checked =
  | { baseline: Baseline; problem?: undefined }
  | { baseline?: undefined; problem: string; format: 'older' | 'newer' | null };

/** Checks a parsed JSON value against the baseline format of this version; never throws. */
export function checkBaseline(value: unknown): Checked {
  if (!isObject(value)) return { problem: 'not a JSON object', format: null };
  const format = value.format;
  if (format === undefined || (typeof format === 'number' && format < BASELINE_FORMAT)) {
    return { problem: `format ${format ?? 'none'}`, format: 'older' };
  }
  if (typeof format === 'number' && format > BASELINE_FORMAT) return { problem: `format ${format}`, format: 'newer' };
  if (format !== BASELINE_FORMAT) return { problem: 'format is not a number', format: null };
  const problem = baseline(value, '');
  return problem ? { problem, format: null } : { baseline: value as unknown as Baseline };
}
