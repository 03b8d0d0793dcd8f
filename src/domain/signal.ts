import type { InstitutionRef } from './institution.js';
import type { MaintenanceWindow } from './maintenance-window.js';
import type { Severity } from './severity.js';

/** What a detector saw about one thing at one moment. */
export type Observation = 'bad' | 'ok';

/**
 * Who owns the lifecycle.
 * - `source`: the source states it (a status-page incident is open until the page says resolved); no thresholds.
 * - `observed`: a state seen poll after poll (a component, a source's health); fail/ok thresholds and flapping apply.
 */
export type Lifecycle = 'source' | 'observed';

export interface TimelineEntry {
  /** Stable id: the source's update id, or a derived key (incident + status + time) when the source has none. */
  id: string;
  at: number;
  /** The source's own word for the state at that update ("investigating", "resolved"), or an engine note kind. */
  status: string;
  text: string;
  /** `source` entries are news from the feed; `engine` entries are the bot's own notes (fired, flapping...). */
  origin: 'source' | 'engine';
}

export interface MaintenanceRef {
  id: string;
  title: string;
  until?: number;
}

export type EvidenceValue = string | number | boolean | string[];

export interface Signal {
  fingerprint: string;
  /** Dotted kind, e.g. `statuspage.incident`, `statuspage.component`, `source.health`. */
  kind: string;
  /** Id of the configured source that produced it (`bot` for the bot's own health). */
  source: string;
  lifecycle: Lifecycle;
  observation: Observation;
  severity: Severity;
  title: string;
  /** The source's own word for the current state ("partial_outage", "investigating"). */
  status: string;
  url?: string;
  environment?: string;
  institution?: InstitutionRef;
  /** The institutions a status-page incident names, when it names several. */
  affects?: InstitutionRef[];
  /**
   * The service this is about when it is not an institution: the Belvo API as one status page shows it. Its
   * incidents and degraded components are one problem, one message, one page.
   */
  service?: ServiceRef;
  /** When the source says the problem started. */
  startedAt?: number;
  /** When the source says it ended (a page's `resolved_at`, a maintenance's completion): durations are the source's. */
  resolvedAt?: number;
  /** Updates known to the source, any order; entries with new ids are news. */
  updates?: TimelineEntry[];
  evidence?: Record<string, EvidenceValue>;
  /** Set while an announced maintenance covers this thing: no paging, and only net change is reported after it. */
  maintenance?: MaintenanceRef;
  /** A scheduled maintenance's own window, as its page announces it: a change of it is news (the window moved). */
  maintenanceWindow?: MaintenanceWindow;
  /**
   * Detector-defined digest of what else makes a change meaningful (a crossed threshold, a changed set of affected
   * components). A change of revision bumps the version; a change of anything not covered does not.
   */
  revision?: string;
  /**
   * For `source` signals: a thing first seen already resolved (outside first sight) is reported once, as resolved
   * before the bot saw it, when it ended after the source's last successful read (what the bot missed while it was
   * down or between polls); an older one is history.
   */
  reportLateResolution?: boolean;
  /**
   * A figure that moves while the thing stays bad (a count of links, an error ratio). Moving is not news: the message
   * shows the current figure in a rate-limited quiet edit; entering a higher step (the next order of magnitude, or a
   * threshold the detector names) is news. See engine/figures.ts.
   */
  figure?: Figure;
  /** Per-signal override of the engine's thresholds (a source configured with its own failure count). */
  thresholds?: { fail?: number; ok?: number };
}

export interface ServiceRef {
  /** The source id of the page that shows it. */
  id: string;
  /** How people call it ("Belvo API"). */
  name: string;
}

export interface Figure {
  value: number;
  /** Step boundaries, ascending; decades (1, 10, 100...) when absent. */
  steps?: number[];
  /** How the value reads ("57 token_required in 1h", "34.0% of 120 calls"). */
  text: string;
}

/** The status of an implied observation: the thing is no longer listed by a source that lists everything. */
export const GONE_STATUS = 'no longer listed';

/** What one poll of a source produced. */
export type PollOutcome =
  | {
      ok: true;
      source: string;
      at: number;
      signals: Signal[];
      /**
       * Fingerprint prefixes this poll saw completely: an open alert under one of them that has no signal in this
       * poll is observed as ok (the thing is gone). Anything outside them is left alone.
       */
      completeScopes: string[];
    }
  | {
      ok: false;
      source: string;
      at: number;
      error: { code: string; message: string };
    };
