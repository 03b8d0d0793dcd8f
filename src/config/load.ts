// Reads the YAML file, applies environment overrides, validates, resolves secrets. Every problem is collected and
// reported at once with its key path, so a user fixes the file in one go; secret values never appear in messages.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { type Config, configSchema, crossCheck } from './schema.js';

export const ENV_PREFIX = 'BELVO_STATUS_';
/** Variables with the prefix that are not overrides: the config file's own path. */
const NOT_OVERRIDES = new Set(['BELVO_STATUS_CONFIG']);

export interface ConfigProblem {
  path: string;
  message: string;
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

  /** One line per problem: `sources[0].intervall: unknown key`. */
  report(): string {
    return [
      `${this.file}: the configuration is invalid`,
      ...this.problems.map((p) => `  ${p.path}: ${p.message}`),
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

function zodProblems(error: z.ZodError): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const secretLike = /secret|token|password|api_?key/i.test(key);
        problems.push({
          path: pathText([...issue.path, key]),
          message: secretLike ? 'secrets are never written in the file: use `secretEnv: ENV_VAR_NAME`' : 'unknown key',
        });
      }
    } else {
      problems.push({ path: pathText(issue.path), message: issue.message });
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
function resolveSecrets(config: unknown, env: Env): { secrets: Map<string, string>; problems: ConfigProblem[] } {
  const secrets = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  const walk = (node: unknown, path: PropertyKey[]) => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) walk(child, [...path, i]);
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'secretEnv' && typeof child === 'string') {
          const { value, problem } = readSecret(child, env);
          if (value !== undefined) secrets.set(child, value);
          else problems.push({ path: pathText([...path, key]), message: problem ?? 'missing' });
        } else walk(child, [...path, key]);
      }
    }
  };
  walk(config, []);
  return { secrets, problems };
}

export function parseConfigText(text: string, file: string, env: Env = process.env): LoadedConfig {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `line ${err.linePos[0].line}` : '(file)';
    throw new ConfigError(file, [{ path: where, message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(file, [{ path: '(root)', message: 'expected a mapping of keys at the top level' }]);
  }
  const problems = applyEnvOverrides(doc as Record<string, unknown>, env, secretEnvNames(doc));
  const parsed = configSchema.safeParse(doc);
  if (!parsed.success) problems.push(...zodProblems(parsed.error));
  for (const p of crossCheck(doc)) problems.push({ path: pathText(p.path), message: p.message });
  // Secrets are looked up in the document as written, so a missing one is named with the other problems.
  const { secrets, problems: secretProblems } = resolveSecrets(doc, env);
  problems.push(...secretProblems);
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
