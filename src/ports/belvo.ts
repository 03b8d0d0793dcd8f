// The Belvo API as the core sees it: institutions and their health, the team's links. The adapter (adapters/belvo/)
// speaks HTTP: Basic auth, pagination, pacing under Belvo's rate limit, typed errors with request_ids.

export interface BelvoInstitution {
  id: number;
  /** `erebor_mx_retail`: the name links, webhooks and errors use. */
  name: string;
  displayName: string;
  countryCodes: string[];
  /** `healthy` or `down`; other strings are kept as they come. */
  status: string;
  type?: string;
}

export interface BelvoLink {
  id: string;
  /** Institution name (not id). */
  institution: string;
  /** `valid | invalid | unconfirmed | token_required` (others kept as they come). */
  status: string;
  externalId?: string | null;
  institutionUserId?: string | null;
}

export interface LinkFilter {
  status?: string;
  institution?: string;
}

/** What kind of failure, so callers decide without parsing codes: Belvo's own error classes plus transport ones. */
export type BelvoErrorKind =
  | 'auth' // 401 authentication_failed: wrong keys
  | 'access' // 403 access_to_production_denied, permission_denied, quota_limit_reached
  | 'rate_limited' // the HTML 403 page: more than 80 requests in 30 s
  | 'institution' // institution_down, institution_unavailable, institution_inactive
  | 'link' // login_error, invalid_link, too_many_sessions, session_expired, token_required...
  | 'request' // required, invalid, does_not_exist, validation_error...
  | 'not_found'
  | 'belvo' // 5xx, request_timeout
  | 'timeout' // no answer in time
  | 'network'
  | 'unexpected'; // a body in none of Belvo's shapes

export interface BelvoApiErrorInfo {
  kind: BelvoErrorKind;
  status?: number;
  /** Belvo's error code (`authentication_failed`) when there is one. */
  code?: string;
  /** Belvo's request_id (32 hex), to quote to Belvo support. */
  requestId?: string;
  message: string;
}

export class BelvoApiError extends Error {
  readonly kind: BelvoErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  constructor(info: BelvoApiErrorInfo) {
    super(info.message);
    this.name = 'BelvoApiError';
    this.kind = info.kind;
    if (info.status !== undefined) this.status = info.status;
    if (info.code !== undefined) this.code = info.code;
    if (info.requestId !== undefined) this.requestId = info.requestId;
  }
}

export interface BelvoApi {
  /** `GET /api/`: resolves when the keys work; rejects with a BelvoApiError otherwise. */
  ping(signal?: AbortSignal): Promise<void>;
  /** Every institution matching (follows `next` to the end). */
  listInstitutions(filter?: { status?: string }, signal?: AbortSignal): Promise<BelvoInstitution[]>;
  /** `count` of a `page_size=1` query: how many links match, without listing them. */
  countLinks(filter?: LinkFilter, signal?: AbortSignal): Promise<number>;
  /** Every link matching, page by page (`page_size` 1000). */
  listLinks(filter?: LinkFilter, signal?: AbortSignal): AsyncIterable<BelvoLink>;
}
