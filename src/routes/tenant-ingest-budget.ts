import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../metrics.js';
import { envName } from '../setting-problem.js';
import { RateLimiter } from './rate-limit.js';

/**
 * TENANT_INGEST_RATE_PER_SEC and TENANT_INGEST_BURST, sized so that no honest tenant meets them.
 * The fixture calls the bench replays at speech pace (fixtures/calls) send 0.58–0.85 messages a
 * second each (start, partials, finals, end), 3 at most in any one second; a provider format
 * carries up to 1.4 times as many messages for the same speech (Deepgram's replay of those calls:
 * 428 messages to the native 311). So a call sends at most about 1.2 a second, and the
 * MAX_CALLS_PER_TENANT (2000) calls a tenant may hold on an instance about 2,400: the rate is twice
 * that. The burst lets every one of those calls send its busiest second at once (2000 × 3 × 1.4).
 */
export const tenantIngestDefaults = {
  tenantIngestRatePerSec: 5000,
  tenantIngestBurst: 10_000,
};

const WARN_PER_TENANT_EVERY_MS = 60_000;
const RATE_VARIABLE = envName('tenantIngestRatePerSec' satisfies keyof typeof tenantIngestDefaults);

/** An ingest connection as the budget sees it: it can stop being read, and be read again. */
export interface Holdable {
  hold(): void;
  release(): void;
}

/** A connection's part in its tenant's budget, from `join` until it leaves (closes). */
export interface BudgetShare {
  spend(units: number): void;
  leave(): void;
}

interface TenantLoad {
  bucket: RateLimiter;
  /** The tenant's connections held until the bucket refills. */
  held: Set<Holdable>;
  /** Set while the tenant is over its budget: when the bucket is looked at again. */
  releaseTimer: NodeJS.Timeout | undefined;
  warnedAt: number | undefined;
  pausesSinceWarning: number;
}

/**
 * The messages each tenant's ingest connections on this instance may bring in, all together (a
 * token bucket per tenant), so that one tenant's volume cannot starve another's calls of the event
 * loop. A tenant over its budget is not refused: each of its connections that brings a message
 * meanwhile is held (not read) until the bucket refills, so the producer is slowed by TCP, and
 * nothing is lost or reordered. What a connection had already read when it was held still comes,
 * charged as debt; so every connection that has something to send gets its turn after each
 * release, rather than the one read first taking the whole refill. Tenants are kept for the
 * process's life: they are the few that AUTH_TOKENS names, and a reconnect must not refill the bucket.
 */
export class TenantIngestBudget {
  private readonly tenants = new Map<string, TenantLoad>();

  constructor(
    private readonly limits: { ratePerSec: number; burst: number },
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  join(tenant: string, connection: Holdable): BudgetShare {
    const load = this.loadOf(tenant);
    return {
      spend: (units) => this.spend(tenant, load, connection, units),
      leave: () => load.held.delete(connection),
    };
  }

  private loadOf(tenant: string): TenantLoad {
    let load = this.tenants.get(tenant);
    if (!load) {
      load = {
        bucket: new RateLimiter(this.limits.ratePerSec, this.limits.burst, this.now),
        held: new Set(),
        releaseTimer: undefined,
        warnedAt: undefined,
        pausesSinceWarning: 0,
      };
      this.tenants.set(tenant, load);
    }
    return load;
  }

  private spend(tenant: string, load: TenantLoad, connection: Holdable, units: number): void {
    const wait = load.bucket.charge(units);
    if (!load.releaseTimer) {
      if (wait === 0) return;
      this.metrics.tenantIngestPauses.inc();
      this.warn(tenant, load);
      this.releaseAfter(load, wait);
    }
    if (load.held.has(connection)) return;
    load.held.add(connection);
    connection.hold();
  }

  /** Releases the held connections once the bucket has a message to give again, their debt repaid. */
  private releaseAfter(load: TenantLoad, wait: number): void {
    load.releaseTimer = setTimeout(() => {
      const left = load.bucket.msUntilNext();
      if (left > 0) return this.releaseAfter(load, left);
      load.releaseTimer = undefined;
      const held = [...load.held];
      load.held.clear();
      for (const connection of held) connection.release();
    }, Math.ceil(wait)).unref();
  }

  private warn(tenant: string, load: TenantLoad): void {
    load.pausesSinceWarning++;
    const now = this.now();
    if (load.warnedAt !== undefined && now - load.warnedAt < WARN_PER_TENANT_EVERY_MS) return;
    this.log.warn(
      { tenant, pauses: load.pausesSinceWarning, ratePerSec: this.limits.ratePerSec },
      `tenant over its ingest budget (${RATE_VARIABLE}): its ingest connections on this instance are held (not read) until it refills; pauses since the tenant's last such warning`,
    );
    load.warnedAt = now;
    load.pausesSinceWarning = 0;
  }
}
