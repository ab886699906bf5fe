import type { TokenStore } from '../auth/tokens.js';
import type { Classifier } from '../classifier/classifier.js';
import type { CallIngest } from '../calls/call-ingest.js';
import type { Config } from '../config-type.js';
import type { Metrics } from '../metrics.js';
import type { IncidentRecord } from '../record/incident-record.js';
import type { SharedState } from '../state/open-state.js';
import type { SharedHub } from '../state/shared-hub.js';
import type { TenantConnections } from './tenant-connections.js';
import type { TenantIngestBudget } from './tenant-ingest-budget.js';

/** What the routes share; `lifecycle.draining` turns new work away during shutdown. */
export interface ServiceContext {
  config: Config;
  classifier: Classifier;
  /** The way into live calls: start, chunks, acks, end. */
  ingest: CallIngest;
  hub: SharedHub;
  /** Where calls are kept: this process, or Redis (REDIS_URL); `ready()` is false while Redis is unreachable. */
  state: SharedState;
  metrics: Metrics;
  /** Absent with RECORD=off. */
  record: IncidentRecord | undefined;
  tokens: TokenStore;
  /** WebSocket connections open per tenant, capped (MAX_*_CONNECTIONS_PER_TENANT). */
  connections: TenantConnections;
  /** Messages a second per tenant across its ingest connections (TENANT_INGEST_*): over it they are held. */
  ingestBudget: TenantIngestBudget;
  lifecycle: { draining: boolean };
}
