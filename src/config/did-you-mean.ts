// "did you mean `port`?": the nearest known name to a mistyped key or value. Known keys come from the schema itself
// at the problem's path (a discriminated union answers with the option the document's `type` picks), so a new key
// in the schema is suggested without a list to keep up to date.
import type { z } from 'zod';

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  getter?: () => z.ZodType;
};

const def = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Through optional, default, transform pipes and the like, to the schema that holds the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const d = def(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else return s;
  }
  return s;
}

/** The union's options that fit the document's value: by discriminator when it has one and it matches. */
function unionOptions(d: Def, value: unknown): z.ZodType[] {
  const options = (d.options ?? []).map(unwrap);
  const key = d.discriminator;
  if (!key || !value || typeof value !== 'object') return options;
  const tag = (value as Record<string, unknown>)[key];
  const matching = options.filter((o) => {
    const field = def(o).shape?.[key];
    return field !== undefined && (def(unwrap(field)).values ?? []).includes(tag);
  });
  return matching.length > 0 ? matching : options;
}

/** The object schemas at `path`, walking the document alongside to pick union options. */
function objectsAt(root: z.ZodType, doc: unknown, path: readonly PropertyKey[]): z.ZodType[] {
  let current: { schema: z.ZodType; value: unknown }[] = [{ schema: unwrap(root), value: doc }];
  for (const seg of path) {
    const next: { schema: z.ZodType; value: unknown }[] = [];
    for (const { schema, value } of current) {
      const d = def(schema);
      const candidates = d.type === 'union' ? unionOptions(d, value) : [schema];
      const child = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
      for (const c of candidates) {
        const cd = def(c);
        const sub =
          cd.type === 'object'
            ? cd.shape?.[String(seg)]
            : cd.type === 'array'
              ? cd.element
              : cd.type === 'record'
                ? cd.valueType
                : undefined;
        if (sub) next.push({ schema: unwrap(sub), value: child });
      }
    }
    current = next;
  }
  return current.flatMap(({ schema, value }) => {
    const d = def(schema);
    return d.type === 'union' ? unionOptions(d, value) : [schema];
  });
}

/** The keys the schema knows at `path` (the object holding the unknown key). */
export function knownKeysAt(root: z.ZodType, doc: unknown, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const o of objectsAt(root, doc, path)) for (const k of Object.keys(def(o).shape ?? {})) keys.add(k);
  return [...keys];
}

/** Optimal string alignment distance: edits, with a swap of two neighbours (`prot` -> `port`) counting as one. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[i - 1]?.[j] ?? 0) + 1, (d[i]?.[j - 1] ?? 0) + 1, (d[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (d[i - 2]?.[j - 2] ?? 0) + 1);
      }
      (d[i] as number[])[j] = best;
    }
  }
  return d[a.length]?.[b.length] ?? 0;
}

/** Case, `-` and `_` aside: `failures_before_alert` is `failuresBeforeAlert`. */
const loose = (s: string) => s.toLowerCase().replace(/[-_]/g, '');

/**
 * The one candidate close enough to be what was meant: equal but for case and separators, within a few edits (1 for
 * short names, 2 up to 8 letters, 3 beyond), or else the only one it starts or ends short of. Undefined when nothing
 * is close or two are equally close.
 */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  const t = loose(typed);
  const exact = candidates.filter((c) => loose(c) === t);
  if (exact.length === 1) return exact[0];
  const limit = t.length <= 4 ? 1 : t.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const c of candidates) {
    const distance = editDistance(t, loose(c));
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) tie = true;
  }
  if (best !== undefined && bestDistance <= limit && !tie) return best;
  // A word cut short or run on (`warning` for `warn`, `env` for `environments`).
  const prefixed = candidates.filter((c) => {
    const l = loose(c);
    return Math.min(l.length, t.length) >= 3 && (l.startsWith(t) || t.startsWith(l));
  });
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
