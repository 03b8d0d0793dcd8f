// The building blocks every part of the configuration is written with: durations and sizes with units, ids, secrets
// named by environment variable, time zones, URLs. Adapters' config slices (adapters/<name>/config.ts) use these too,
// so `30s` or `secretEnv:` mean the same everywhere.
import { z } from 'zod';
import { SEVERITIES } from '../domain/severity.js';
import { parseDuration, parseSize } from './units.js';

export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (use e.g. 500ms, 30s, 5m, 1h)` });
    return z.NEVER;
  }
  return ms;
});

/** A timeout or an interval: below 50 ms is a typo (a bare number is milliseconds). */
export const atLeast50ms = duration.pipe(z.number().min(50, 'at least 50ms'));

export const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a size: ${JSON.stringify(v)} (use e.g. 512kb, 5mb)` });
    return z.NEVER;
  }
  return bytes;
});

export const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _');
export const severity = z.enum(SEVERITIES);

/** An http(s) URL. */
export const httpUrl = z.url({ protocol: /^https?$/ });

/** A secret is named, never written: `secretEnv: NAME` reads $NAME, or the file named by $NAME_FILE. */
export const secretRef = z.strictObject({
  secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. STATUSPAGE_WEBHOOK_SECRET'),
});
export type SecretRef = z.output<typeof secretRef>;

export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. America/Mexico_City, UTC)');

/** A problem found across keys, reported with the schema's own (path as in the config file). */
export interface KeyProblem {
  path: (string | number)[];
  message: string;
}

/** The raw config document as cross-key checks read it (before the schema: they run on what the user wrote). */
export type RawConfig = Record<string, unknown>;

/** A list under `key` of the raw document (an empty list when missing or not a list). */
export function rawList(root: RawConfig, key: string): Record<string, unknown>[] {
  return Array.isArray(root[key]) ? (root[key] as Record<string, unknown>[]) : [];
}

/**
 * What a chat or paging adapter contributes to the configuration besides its zod schemas: how a config destination
 * of its types is named as a destination (where its messages are stored and delivered), which destinations a
 * subscription may name directly (`slack:C0123`, as /belvo-status subscribe stores them) and its cross-key checks.
 */
export interface AdapterConfigRules {
  /** The destination types this adapter owns (`slack`; `discord` and `discord-webhook`). */
  types: readonly string[];
  destinationKey(destination: { id: string; type: string } & Record<string, unknown>): string | undefined;
  directDestination?: RegExp;
  check?(root: RawConfig): KeyProblem[];
}
