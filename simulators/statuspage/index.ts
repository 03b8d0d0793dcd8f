// The simulated Statuspage page: model, renderers, server and bulk helpers, for the demo, the tests and the bench.
export {
  type PopulatedInstitutions,
  type PopulateInstitutionsOptions,
  populateInstitutions,
  type SimulatedInstitution,
} from './bulk.js';
export { ManualClock } from './clock.js';
export { type Fault, FaultControl, type FaultKind, type FaultScope, type StatusFaultOptions } from './faults.js';
export {
  type ComponentRef,
  type ComponentStatus,
  type Impact,
  type IncidentStatus,
  isIncidentOpen,
  type MaintenanceStatus,
  type OpenIncidentInput,
  type ScheduleMaintenanceInput,
  type SimAffectedComponent,
  type SimComponent,
  type SimIncident,
  type SimIncidentUpdate,
  SimulatedPage,
  type SimulatedPageOptions,
  type UpdateIncidentInput,
} from './model.js';
export {
  DEFAULT_FEED_LIMIT,
  feedLabel,
  INCIDENTS_LIMIT,
  incidentUrl,
  type MaintenanceSelection,
  type RenderedDocument,
  type RenderOptions,
  renderComponentsJson,
  renderDocument,
  renderFeedHtml,
  renderHistoryAtom,
  renderHistoryRss,
  renderIncidentsJson,
  renderMaintenancesJson,
  renderStatus,
  renderStatusJson,
  renderSummaryJson,
  renderUnresolvedJson,
  SERVED_PATHS,
  type WireComponent,
  type WireIncident,
  type WireIncidentUpdate,
  type WireMaintenance,
  type WirePage,
  type WireStatus,
} from './render.js';
export {
  type RecordedRequest,
  type SimulatedStatusPageServer,
  type StartSimulatedStatusPageOptions,
  startSimulatedStatusPage,
} from './server.js';
