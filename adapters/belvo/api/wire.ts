// Belvo's JSON as it comes, read leniently: unknown fields ignored, optional ones optional, unknown status strings
// kept (Belvo's developer docs).
import { z } from 'zod';
import { cleanText } from '../../../src/domain/clean-text.js';
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

/** Text Belvo may leave out or send as null. */
function isOptionalText(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

function isNonEmptyText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * One item of the links listing, reduced to what the reconciliation stores: id, institution, status and the two ids
 * the team's users are known by. Belvo's other fields (created_at, last_accessed_at, access_mode...) are never read,
 * so a shape the bot does not know in them costs nothing and skips nothing. Checked by hand rather than with a zod
 * object: a full listing is 100,000 items, and zod copying each one's unknown fields cost about as much as reading
 * the pages' JSON. An item that is not an object, has no id or institution, or has one of these fields of the wrong
 * type is `undefined`: the caller skips it and says so.
 */
export function toLink(item: unknown): BelvoLink | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const w = item as Record<string, unknown>;
  const { id, institution, status, external_id: externalId, institution_user_id: institutionUserId } = w;
  if (!isNonEmptyText(id) || !isNonEmptyText(institution)) return undefined;
  if (!isOptionalText(status) || !isOptionalText(externalId) || !isOptionalText(institutionUserId)) return undefined;
  const link: BelvoLink = { id, institution, status: statusOf(status) };
  if (externalId !== undefined) link.externalId = externalId;
  if (institutionUserId !== undefined) link.institutionUserId = institutionUserId;
  return link;
}
