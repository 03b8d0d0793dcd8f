// Belvo's link rules, whatever stores them: which webhook codes change a link's status, when a change is a
// transition worth counting (a link entering token_required or invalid), and how a reconciliation's listing and the
// webhooks agree (a webhook newer than the listing wins). The stores only keep and query what these rules decide.

/** LINK webhook codes that change a link's status, and the status each one means. */
export const LINK_STATUS_BY_CODE = {
  token_required: 'token_required',
  invalid_credentials: 'invalid',
} as const;

export type LinkEventCode = keyof typeof LINK_STATUS_BY_CODE;

export function isLinkEventCode(code: string): code is LinkEventCode {
  return Object.hasOwn(LINK_STATUS_BY_CODE, code);
}

/** The link event a status means, for the statuses detectors count (token_required, invalid). */
export function codeForStatus(status: string): LinkEventCode | undefined {
  for (const [code, s] of Object.entries(LINK_STATUS_BY_CODE)) if (s === status) return code as LinkEventCode;
  return undefined;
}

/** What a webhook says of a link, as far as these rules need it. */
export interface LinkWebhookFacts {
  type: string;
  code: string;
  linkId?: string;
}

/**
 * The status a webhook puts its link in: only LINK webhooks with a link_id and a status-changing code do; other
 * webhooks change no link.
 */
export function linkStatusFromWebhook(
  w: LinkWebhookFacts,
): { linkId: string; code: LinkEventCode; status: string } | undefined {
  if (w.type !== 'LINK' || !w.linkId || !isLinkEventCode(w.code)) return undefined;
  return { linkId: w.linkId, code: w.code, status: LINK_STATUS_BY_CODE[w.code] };
}

/**
 * Whether a webhook's status is a transition (recorded as a link event): a change of status only, because Belvo
 * repeats token_required for a link stuck in it. A link never seen before enters the status.
 */
export function isWebhookTransition(before: { status: string } | undefined, status: string): boolean {
  return before?.status !== status;
}

/** What the store knows of a link when a listing arrives. */
export interface KnownLink {
  status: string;
  statusChangedAt: number;
  lastEventAt?: number;
}

export interface ListingDecision {
  /** The status to store: the listing's, unless a webhook received after the listing was fetched says otherwise. */
  status: string;
  statusChangedAt: number;
  /** A known link whose status changed (a link seen for the first time is history, not a change). */
  changed: boolean;
  /** The link event to record: a known link found in a counted status by this listing. */
  eventCode?: LinkEventCode;
}

/** How a reconciliation's listing, fetched at `observedAt`, updates one link. */
export function applyListing(
  before: KnownLink | undefined,
  listed: { status: string },
  observedAt: number,
): ListingDecision {
  // A webhook received after the listing was fetched knows better than the listing.
  const newerWebhook = before?.lastEventAt !== undefined && before.lastEventAt > observedAt;
  const status = newerWebhook && before ? before.status : listed.status;
  const changed = before !== undefined && before.status !== status;
  const eventCode = changed ? codeForStatus(status) : undefined;
  return {
    status,
    statusChangedAt: changed || !before ? observedAt : before.statusChangedAt,
    changed,
    ...(eventCode && { eventCode }),
  };
}
