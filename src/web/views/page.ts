// Every view of the main page, built from one read of the data (one `now`).
import type { AuditFindings } from '../../commands/audit-handlers.js';
import type { PageData } from '../page-data.js';
import type { PageQuery } from '../page-query.js';
import { buildHealthView, type HealthView } from './health.js';
import { buildHistoryView, type HistoryView } from './history.js';
import { buildInstitutionsView, type InstitutionsView } from './institutions.js';
import { buildNowView, type NowView } from './now.js';

export interface PageView {
  at: number;
  now: NowView;
  institutions: InstitutionsView;
  history: HistoryView;
  audit?: { at: number; findings: AuditFindings };
  health: HealthView;
}

export function buildPageView(data: PageData, query: PageQuery): PageView {
  return {
    at: data.now,
    now: buildNowView(data),
    institutions: buildInstitutionsView(data, query),
    history: buildHistoryView(data, query),
    ...(data.audit && { audit: data.audit }),
    health: buildHealthView(data),
  };
}
