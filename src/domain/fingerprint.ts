// Fingerprints are the identity of an alert: stable across restarts, re-fetches and feed formats.
// They are built from the configured source id (not a page id), so the JSON API and the RSS/Atom feed of one
// page yield the same fingerprint for the same incident.

export const fingerprint = {
  statuspageIncident: (source: string, incidentId: string) => `statuspage/${source}/incident/${incidentId}`,
  statuspageComponent: (source: string, componentId: string) => `statuspage/${source}/component/${componentId}`,
  statuspageMaintenance: (source: string, maintenanceId: string) => `statuspage/${source}/maintenance/${maintenanceId}`,
  statuspageScope: (source: string, what: 'incident' | 'component' | 'maintenance') => `statuspage/${source}/${what}/`,
  sourceHealth: (source: string) => `bot/source/${source}/unreachable`,
  destinationHealth: (destination: string) => `bot/destination/${destination}/refusing`,
  /** One per institution (Belvo's name): a relapse reopens or follows the same incident. */
  institutionIncident: (institution: string) => `institution/${institution}`,
  /** The Belvo API as one status page shows it (the page's source id): its incidents and components are one problem. */
  serviceIncident: (source: string) => `belvo-api/${source}`,
  /** An institution Belvo's API lists as down in one environment; the scope is every such alert of the environment. */
  institutionDown: (environment: string, institution: string) => `belvo/${environment}/institution-down/${institution}`,
  institutionDownScope: (environment: string) => `belvo/${environment}/institution-down/`,
  /** A token_required (`token_required`) or invalid credentials (`invalid`) spike at one institution. */
  linkSpike: (environment: string, code: string, institution: string) =>
    `belvo/${environment}/${code}-spike/${institution}`,
  linkSpikeScope: (environment: string, code: string) => `belvo/${environment}/${code}-spike/`,
  /** The team's own calls failing: one alert per error kind and institution. */
  errorRatio: (kind: string, institution: string) => `belvo/calls/errors/${kind}/${institution}`,
  errorRatioScope: () => 'belvo/calls/errors/',
  /** A storm (many institutions at once), named by when it formed. */
  storm: (formedAt: number) => `bot/storm/${new Date(formedAt).toISOString()}`,
  /** A quiet-hours digest, keyed on the subscription and the window it sums up. */
  digest: (subscription: string, windowEnd: number) => `bot/digest/${subscription}/${windowEnd}`,
};

/**
 * The kind of the bot's own "this source cannot be read" alert. It carries the polled source's id (so filters and
 * silences by source cover it) but a `bot/` fingerprint, so it never falls inside the source's complete scopes.
 */
export const SOURCE_HEALTH_KIND = 'source.health';

/** The kind of a grouped alert (many institutions failing at once); it never comes from a source. */
export const STORM_KIND = 'bot.storm';
/** One institution's problem as every source sees it: the alerts about it are its members. */
export const INCIDENT_KIND = 'institution.incident';
/** The Belvo API's problem as its status page shows it: the page's incidents and degraded components are members. */
export const SERVICE_INCIDENT_KIND = 'belvo-api.incident';

/** An alert that speaks for members of one problem (an institution's, or the Belvo API's). */
export function isIncidentKind(kind: string): boolean {
  return kind === INCIDENT_KIND || kind === SERVICE_INCIDENT_KIND;
}
/** The kind of a quiet-hours digest: one message, keyed on the window it sums up; never stored as an alert. */
export const DIGEST_KIND = 'bot.digest';
/** The bot's own alert about a destination that refuses its messages. */
export const DESTINATION_HEALTH_KIND = 'destination.health';
