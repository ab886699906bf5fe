import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { TenantIngestBudget } from '../../src/routes/tenant-ingest-budget.js';

class Connection {
  held = false;
  hold(): void {
    this.held = true;
  }
  release(): void {
    this.held = false;
  }
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** 10 messages a second, a burst of 5, on the fake clock (the timers' Date.now). */
function budget() {
  const metrics = createMetrics();
  const warn = vi.fn();
  const log = { warn } as unknown as FastifyBaseLogger;
  const ingestBudget = new TenantIngestBudget({ ratePerSec: 10, burst: 5 }, metrics, log, () => Date.now());
  const pauses = async () => (await metrics.tenantIngestPauses.get()).values[0]?.value ?? 0;
  return { ingestBudget, warn, pauses };
}

describe('TenantIngestBudget', () => {
  it("holds each of a tenant's connections that brings a message while the tenant is over, until the bucket refills, debt included", async () => {
    const { ingestBudget, pauses } = budget();
    const [first, second, quiet, otherTenant] = [
      new Connection(),
      new Connection(),
      new Connection(),
      new Connection(),
    ];
    const firstShare = ingestBudget.join('acme', first);
    const secondShare = ingestBudget.join('acme', second);
    ingestBudget.join('acme', quiet);
    const otherShare = ingestBudget.join('globex', otherTenant);

    for (let i = 0; i < 4; i++) firstShare.spend(1);
    expect(first.held).toBe(false);
    // The burst's last message leaves nothing for the next one: the tenant is over.
    firstShare.spend(1);
    expect([first.held, second.held, quiet.held]).toEqual([true, false, false]);
    secondShare.spend(1);
    expect(second.held).toBe(true);
    // Frames the first connection had read before it was held still come: debt, 4 messages' worth.
    firstShare.spend(3);
    // Another tenant's budget is its own.
    for (let i = 0; i < 5; i++) otherShare.spend(1);
    expect(otherTenant.held).toBe(true);
    expect(quiet.held).toBe(false);

    vi.advanceTimersByTime(400);
    expect([first.held, second.held]).toEqual([true, true]);
    vi.advanceTimersByTime(100);
    expect([first.held, second.held, otherTenant.held]).toEqual([false, false, false]);
    expect(await pauses()).toBe(2);

    // Released with one message in the bucket: the next brings the tenant over again.
    secondShare.spend(1);
    expect([first.held, second.held]).toEqual([false, true]);
    expect(await pauses()).toBe(3);
  });

  it('releases no connection that left while held', () => {
    const { ingestBudget } = budget();
    const connection = new Connection();
    const share = ingestBudget.join('acme', connection);
    share.spend(6);
    expect(connection.held).toBe(true);
    share.leave();
    const release = vi.spyOn(connection, 'release');
    vi.advanceTimersByTime(1000);
    expect(release).not.toHaveBeenCalled();
  });

  it('warns once per tenant a minute, with the pauses since its last warning', () => {
    const { ingestBudget, warn } = budget();
    const acme = ingestBudget.join('acme', new Connection());
    const globex = ingestBudget.join('globex', new Connection());
    const pauseOnce = (share: typeof acme) => {
      share.spend(6);
      vi.advanceTimersByTime(1000);
    };
    pauseOnce(acme);
    pauseOnce(globex);
    expect(warn.mock.calls.map(([fields]) => fields)).toEqual([
      expect.objectContaining({ tenant: 'acme', pauses: 1 }),
      expect.objectContaining({ tenant: 'globex', pauses: 1 }),
    ]);
    for (let i = 0; i < 20; i++) pauseOnce(acme);
    expect(warn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(60_000);
    pauseOnce(acme);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls[2]![0]).toMatchObject({ tenant: 'acme', pauses: 21 });
    expect(warn.mock.calls[2]![1]).toContain('TENANT_INGEST_RATE_PER_SEC');
  });
});
