// Belvo's error codes by who must act, from its error table: the institution, or one link and its user. Shared by the
// API client (typed errors) and the error-ratio detector (the team's own calls), so both classify alike.

/** 400 codes that mean the institution, not the request or the link, is the problem. */
export const INSTITUTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'institution_down',
  'institution_unavailable',
  'institution_inactive',
]);

/** 400/404/428 codes about one link or its user: the user has to act, not the integration. */
export const LINK_ERROR_CODES: ReadonlySet<string> = new Set([
  'login_error',
  'invalid_link',
  'unconfirmed_link',
  'too_many_sessions',
  'session_expired',
  'token_required',
  'activation_required',
  'expired_credentials',
]);
