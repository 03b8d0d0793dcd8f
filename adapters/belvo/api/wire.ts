// Belvo's JSON as it comes, read leniently: unknown fields ignored, optional ones optional, unknown status strings
// kept, timestamps with 0-6 fractional digits and `Z` or an offset normalised to ISO (Belvo's developer docs).
import { z } from 'zod';
import { cleanText } from '../../../src/domain/clean-text.js';
import { parseTimestamp } from '../../../src/domain/timestamp.js';
import type { BelvoInstitution, BelvoLink } from '../../../src/ports/belvo.js';

/** Every list endpoint: `{count, next, previous, results}`; `next` is an absolute URL or null. */
export const pageSchema = z.looseObject({
  count: z.number().int().min(0),
  next: z.string().nullish(),
  results: z.array(z.unknown()),
});
export type WirePage = z.output<typeof pageSchema>;

const optionalText = z.string().nullish();

const institutionSchema = z.looseObject({
  id: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  name: z.string().min(1),
  display_name: optionalText,
  country_codes: z.array(z.string()).nullish(),
  /** Older answers carried one `country_code`. */
  country_code: optionalText,
  status: optionalText,
  type: optionalText,
});

const linkSchema = z.looseObject({
  id: z.string().min(1),
  institution: z.string().min(1),
  status: optionalText,
  external_id: optionalText,
  institution_user_id: optionalText,
  access_mode: optionalText,
  created_at: optionalText,
  last_accessed_at: optionalText,
});

/** ISO 8601 in UTC when Belvo's timestamp can be read, else the text as it came (never dropped). */
function timestamp(value: string | null | undefined): string | null | undefined {
  if (value === null || value === undefined) return value;
  const ms = parseTimestamp(value);
  return ms === undefined ? value : new Date(ms).toISOString();
}

/** A status the port can compare: Belvo's own word, or `unknown` when the field is missing. */
function statusOf(value: string | null | undefined): string {
  return value?.trim() || 'unknown';
}

export function toInstitution(item: unknown): BelvoInstitution | undefined {
  const parsed = institutionSchema.safeParse(item);
  if (!parsed.success) return undefined;
  const w = parsed.data;
  const countryCodes = w.country_codes ?? (w.country_code ? [w.country_code] : []);
  const institution: BelvoInstitution = {
    id: w.id,
    name: w.name,
    // Shown in chat: cleaned of invisible and direction-changing characters.
    displayName: cleanText(w.display_name ?? '').trim() || w.name,
    countryCodes,
    status: statusOf(w.status),
  };
  if (w.type) institution.type = w.type;
  return institution;
}

export function toLink(item: unknown): BelvoLink | undefined {
  const parsed = linkSchema.safeParse(item);
  if (!parsed.success) return undefined;
  const w = parsed.data;
  const link: BelvoLink = { id: w.id, institution: w.institution, status: statusOf(w.status) };
  if (w.external_id !== undefined) link.externalId = w.external_id;
  if (w.institution_user_id !== undefined) link.institutionUserId = w.institution_user_id;
  if (w.access_mode !== undefined) link.accessMode = w.access_mode;
  const createdAt = timestamp(w.created_at);
  if (createdAt) link.createdAt = createdAt;
  if (w.last_accessed_at !== undefined) link.lastAccessedAt = timestamp(w.last_accessed_at) ?? null;
  return link;
}
