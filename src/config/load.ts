// Reads the YAML file, applies environment overrides, validates, resolves secrets. Every problem is collected and
// reported at once with its key path, so a user fixes the file in one go; secret values never appear in messages.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { knownKeysAt, nearest } from './did-you-mean.js';
import { type Config, configSchema, crossCheck } from './schema.js';
import { lineOf } from './yaml-lines.js';

export const ENV_PREFIX = 'BELVO_STATUS_';
/** Variables with the prefix that are not overrides: the config file's own path. */
const NOT_OVERRIDES = new Set(['BELVO_STATUS_CONFIG']);

export interface ConfigProblem {
  path: string;
  message: string;
  /** The file's line the problem is on (the key's, or the mapping's for a missing key), when the file has it. */
  line?: number;
}

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s) in the configuration`);
    this.name = 'ConfigError';
  }

  /** One line per problem: `line 7: sources[0].intervall: unknown key (did you mean `interval`?)`. */
  report(): string {
    return [
      `${this.file}: the configuration is invalid`,
      ...this.problems.map((p) => `  ${p.line !== undefined ? `line ${p.line}: ` : ''}${p.path}: ${p.message}`),
    ].join('\n');
  }
}

export interface LoadedConfig {
  config: Config;
  /** Secret values by environment variable name; kept out of `config` so the config can be printed. */
  secrets: Map<string, string>;
  file: string;
}

type Env = Record<string, string | undefined>;

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Reads an override's value as YAML does (numbers, booleans), or as a plain string when it is not YAML. */
function overrideValue(raw: string): unknown {
  try {
    return parseYaml(raw) ?? raw;
  } catch {
    return raw;
  }
}

/**
 * `BELVO_STATUS_SOURCES__0__FAILURES_BEFORE_ALERT=5` sets `sources[0].failuresBeforeAlert` to 5. Variables the
 * config names as secrets are never overrides, whatever their prefix.
 */
export function applyEnvOverrides(
  doc: Record<string, unknown>,
  env: Env,
  secretNames: Set<string> = new Set(),
  /** Told of each key path an override set, so a problem there names the variable rather than a line of the file. */
  onApplied?: (name: string, path: (string | number)[]) => void,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined || name.endsWith('_FILE')) continue;
    if (NOT_OVERRIDES.has(name) || secretNames.has(name)) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').map(camel);
    if (keys.some((k) => k === '')) {
      problems.push({ path: name, message: 'malformed override name (use __ between keys)' });
      continue;
    }
    let node: Record<string, unknown> | unknown[] = doc;
    for (const [i, key] of keys.entries()) {
      const index = /^\d+$/.test(key) ? Number(key) : undefined;
      const last = i === keys.length - 1;
      const container = node as Record<string, unknown>;
      const k = index !== undefined && Array.isArray(node) ? index : key;
      if (last) {
        container[k as string] = overrideValue(raw);
        onApplied?.(
          name,
          keys.map((key) => (/^\d+$/.test(key) ? Number(key) : key)),
        );
        break;
      }
      const next = container[k as string];
      if (next === undefined || next === null) {
        const child = /^\d+$/.test(keys[i + 1] ?? '') ? [] : {};
        container[k as string] = child;
        node = child;
      } else if (typeof next === 'object') {
        node = next as Record<string, unknown>;
      } else {
        problems.push({ path: name, message: `cannot set below ${keys.slice(0, i + 1).join('.')}, which is a value` });
        break;
      }
    }
  }
  return problems;
}

/** A problem at a key path, before it is placed in the file. */
interface PathProblem {
  path: readonly PropertyKey[];
  message: string;
}

/** Whether the document has a key at `path`, and its value. */
function valueAt(doc: unknown, path: readonly PropertyKey[]): { present: boolean; value?: unknown } {
  let node: unknown = doc;
  for (const seg of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, seg)) return { present: false };
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return { present: node !== undefined, value: node };
}

const suggestion = (typed: unknown, candidates: readonly string[]) => {
  const near = typeof typed === 'string' ? nearest(typed, candidates) : undefined;
  return near !== undefined ? ` (did you mean \`${near}\`?)` : '';
};

/** Zod's issues in a person's words: a missing key is "required", a near-miss key or value gets "did you mean". */
function zodProblems(error: z.ZodError, doc: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const issue of error.issues) {
    const at = valueAt(doc, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const present = valueAt(doc, issue.path).value as Record<string, unknown> | undefined;
      const known = knownKeysAt(configSchema, doc, issue.path).filter((k) => !present || !Object.hasOwn(present, k));
      for (const key of issue.keys) {
        const secretLike = /secret|token|password|api_?key/i.test(key);
        problems.push({
          path: [...issue.path, key],
          message: secretLike
            ? 'secrets are never written in the file: use `secretEnv: ENV_VAR_NAME`'
            : `unknown key${suggestion(key, known)}`,
        });
      }
      continue;
    }
    const choices =
      (issue as { options?: unknown[]; values?: unknown[] }).options ?? (issue as { values?: unknown[] }).values ?? [];
    const words = choices.filter((c): c is string => typeof c === 'string');
    const oneOf = words.length > 0 ? `one of ${words.join(', ')}` : '';
    if (!at.present && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
      problems.push({ path: issue.path, message: oneOf ? `required: ${oneOf}` : 'required' });
    } else if (words.length > 0 && (issue.code === 'invalid_union' || issue.code === 'invalid_value')) {
      problems.push({
        path: issue.path,
        // The value is not repeated: it may have come from the environment, and the line shows it anyway.
        message: `not ${oneOf}${suggestion(at.value, words)}`,
      });
    } else {
      problems.push({ path: issue.path, message: issue.message });
    }
  }
  return problems;
}

function readSecret(name: string, env: Env): { value?: string; problem?: string } {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return { value: direct };
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      const value = readFileSync(file, 'utf8').trim();
      if (value === '') return { problem: `the file named by ${name}_FILE is empty` };
      return { value };
    } catch (err) {
      return { problem: `cannot read the file named by ${name}_FILE (${(err as NodeJS.ErrnoException).code})` };
    }
  }
  return { problem: `environment variable ${name} (or ${name}_FILE) is not set` };
}

function secretEnvNames(doc: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) for (const child of node) walk(child);
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'secretEnv' && typeof child === 'string') names.add(child);
        else walk(child);
      }
    }
  };
  walk(doc);
  return names;
}

/** Walks the config for `{secretEnv}` references and resolves each one. */
function resolveSecrets(config: unknown, env: Env): { secrets: Map<string, string>; problems: PathProblem[] } {
  const secrets = new Map<string, string>();
  const problems: PathProblem[] = [];
  const walk = (node: unknown, path: PropertyKey[]) => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) walk(child, [...path, i]);
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'secretEnv' && typeof child === 'string') {
          const { value, problem } = readSecret(child, env);
          if (value !== undefined) secrets.set(child, value);
          else problems.push({ path: [...path, key], message: problem ?? 'missing' });
        } else walk(child, [...path, key]);
      }
    }
  };
  walk(config, []);
  return { secrets, problems };
}

export function parseConfigText(text: string, file: string, env: Env = process.env): LoadedConfig {
  const lines = new LineCounter();
  const yaml = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  const broken = yaml.errors[0];
  if (broken) {
    const where = broken.linePos ? `line ${broken.linePos[0].line}` : '(file)';
    throw new ConfigError(file, [{ path: where, message: `not valid YAML: ${broken.message.split('\n')[0]}` }]);
  }
  const doc: unknown = text.trim() === '' ? {} : yaml.toJS();
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(file, [{ path: '(root)', message: 'expected a mapping of keys at the top level' }]);
  }
  const overridden: { name: string; path: (string | number)[] }[] = [];
  const problems = applyEnvOverrides(doc as Record<string, unknown>, env, secretEnvNames(doc), (name, path) =>
    overridden.push({ name, path }),
  );
  const parsed = configSchema.safeParse(doc);
  const found: PathProblem[] = parsed.success ? [] : zodProblems(parsed.error, doc);
  found.push(...crossCheck(doc));
  // Secrets are looked up in the document as written, so a missing one is named with the other problems.
  const { secrets, problems: secretProblems } = resolveSecrets(doc, env);
  found.push(...secretProblems);
  // Each problem is placed: on the line of the file it comes from, or on the override that set its value.
  for (const p of found) {
    const override = overridden.find((o) => o.path.every((seg, i) => String(p.path[i]) === String(seg)));
    if (override) problems.push({ path: pathText(p.path), message: `${p.message} (set by ${override.name})` });
    else {
      const line = lineOf(yaml, lines, p.path);
      problems.push({ path: pathText(p.path), message: p.message, ...(line !== undefined && { line }) });
    }
  }
  // Top to bottom, as the file reads; what has no line (the environment's) comes last.
  problems.sort((a, b) => (a.line ?? Number.POSITIVE_INFINITY) - (b.line ?? Number.POSITIVE_INFINITY));
  if (!parsed.success || problems.length > 0) throw new ConfigError(file, problems);
  return { config: parsed.data, secrets, file };
}

export function loadConfigFile(file: string, env: Env = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read: ${(err as NodeJS.ErrnoException).code}` }]);
  }
  return parseConfigText(text, file, env);
}
