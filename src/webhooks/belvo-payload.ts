// What a Belvo webhook body must hold to be stored (Belvo's developer docs, "Webhooks Belvo sends"). Tolerant: unknown
// fields, types and codes pass; only a body that cannot be understood or identified is refused.

/** Belvo's ids are 32 hex characters; any short run of letters, digits and dashes is taken, should that change. */
const WEBHOOK_ID = /^[A-Za-z0-9-]{1,64}$/;
/** Longer type/code strings are not Belvo's: refusing them keeps a garbled sender's noise out of the indexes. */
const MAX_NAME = 200;
/** Optional ids longer than this are left out of the columns (the body keeps them). */
const MAX_OPTIONAL = 256;

export interface BelvoWebhookFields {
  webhookId: string;
  type: string;
  code: string;
  linkId?: string;
  externalId?: string;
  requestId?: string;
  processType?: string;
}

export type ParsedBelvoWebhook =
  | { ok: true; fields: BelvoWebhookFields; text: string }
  | { ok: false; error: 'malformed_json' | 'not_a_belvo_webhook'; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function optional(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  return typeof v === 'string' && v !== '' && v.length <= MAX_OPTIONAL ? v : undefined;
}

function name(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  return typeof v === 'string' && v.trim() !== '' && v.length <= MAX_NAME ? v : undefined;
}

export function parseBelvoWebhook(raw: Buffer): ParsedBelvoWebhook {
  let text: string;
  let doc: unknown;
  try {
    text = utf8.decode(raw);
    doc = JSON.parse(text);
  } catch {
    return { ok: false, error: 'malformed_json', message: 'the body is not UTF-8 JSON' };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, error: 'not_a_belvo_webhook', message: 'the body is not a JSON object' };
  }
  const o = doc as Record<string, unknown>;
  const webhookId = o['webhook_id'];
  if (typeof webhookId !== 'string' || !WEBHOOK_ID.test(webhookId)) {
    return { ok: false, error: 'not_a_belvo_webhook', message: 'webhook_id is missing or not an id' };
  }
  const type = name(o, 'webhook_type');
  const code = name(o, 'webhook_code');
  if (type === undefined) return { ok: false, error: 'not_a_belvo_webhook', message: 'webhook_type is missing' };
  if (code === undefined) return { ok: false, error: 'not_a_belvo_webhook', message: 'webhook_code is missing' };
  const fields: BelvoWebhookFields = { webhookId, type, code };
  const linkId = optional(o, 'link_id');
  const externalId = optional(o, 'external_id');
  const requestId = optional(o, 'request_id');
  const processType = optional(o, 'process_type');
  if (linkId !== undefined) fields.linkId = linkId;
  if (externalId !== undefined) fields.externalId = externalId;
  if (requestId !== undefined) fields.requestId = requestId;
  if (processType !== undefined) fields.processType = processType;
  return { ok: true, fields, text };
}
