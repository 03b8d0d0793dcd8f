// What the chat commands may ask about the team's Belvo account, supplied by the composition root when Belvo is
// configured: link counts and duplicates from the store, webhook freshness, and the reported calls.

export interface BelvoEnvironmentView {
  id: string;
  url: string;
  /** A webhook Authorization is configured for it (Belvo can deliver webhooks to the bot). */
  webhooksConfigured: boolean;
}

export interface CallSummary {
  calls: number;
  failures: number;
}

export interface BelvoAccountView {
  environments: BelvoEnvironmentView[];
  linkCounts(environment: string): Promise<{ institution: string | null; status: string; count: number }[]>;
  duplicateLinks(environment: string): Promise<{ institution: string; institutionUserId: string; count: number }[]>;
  lastWebhookAt(environment: string): Promise<number | undefined>;
  /**
   * Set beside the running bot (the CLI) when the app reports its calls there: they live in the bot's memory only,
   * so they cannot be read from here.
   */
  callsHeldElsewhere?: boolean;
  /** Undefined when the app does not report its calls (no `belvo.ingest`). */
  calls?: {
    /** Calls and failures in the last `ms`, for one institution or all. */
    summary(now: number, ms: number, institution?: string): CallSummary;
    /** Failures reported without a request_id, and when the app last reported. */
    failuresWithoutRequestId: number;
    failures: number;
    lastReportAt?: number;
    /** How far back `summary` can see (the calls are kept in memory for the error ratios' long window). */
    keptMs?: number;
  };
}

export const PRODUCTION_URL = 'https://api.belvo.com';
