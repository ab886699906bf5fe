// What the orphan sweep costs an instance (docs/deployment.md): fills a throwaway redis-server's call
// directory with live calls, each leased by one of `instances` instances, and times sweeps run by
// one of them: wall time and this process's CPU per sweep. Every instance sweeps once per
// CALL_LEASE_TTL_MS (10 s by default). Usage: npx tsx bench/orphan-sweep-cost.ts [calls] [instances] [sweeps]
import { cpuUsage } from 'node:process';
import { callKey, type CallInfo } from '../src/state/call-state.js';
import { OrphanSweep } from '../src/state/orphan-sweep.js';
import { redisCallStore } from '../src/state/redis-store.js';
import { sharedStateDefaults } from '../src/state/open-state.js';
import { startRedis } from '../test/helpers/redis.js';

const calls = Number(process.argv[2] ?? 1000);
const instances = Number(process.argv[3] ?? 2);
const sweeps = Number(process.argv[4] ?? 20);
const redis = await startRedis();
try {
  const store = redisCallStore(redis.client(), {
    replayBuffer: sharedStateDefaults.cueReplayBuffer,
    transcriptLines: sharedStateDefaults.transcriptReplayLines,
  });
  const driven = new Set<string>();
  for (let c = 0; c < calls; c++) {
    const info: CallInfo = {
      tenant: 'acme',
      callId: `call-${c}`,
      agentId: `agent-${c % 300}`,
      teamId: `team-${c % 20}`,
    };
    const lease = (await store.leases.acquire(info, `instance-${c % instances}`, 600_000))!;
    const { epoch } = await store.cues.numbering(info);
    await store.directory.update(info, lease, { ...info, epoch, lastSeq: 0, step: 'listen', ended: false });
    if (c % instances === 0) driven.add(callKey(info));
  }
  let orphans = 0;
  const sweep = new OrphanSweep({
    store,
    drives: (call) => driven.has(callKey(call)),
    onOrphan: () => orphans++,
    everyMs: 3_600_000,
  });
  await sweep.sweep(); // warm-up: connections, JIT
  const cpu = cpuUsage();
  const started = performance.now();
  for (let i = 0; i < sweeps; i++) await sweep.sweep();
  const wallMs = (performance.now() - started) / sweeps;
  const { user, system } = cpuUsage(cpu);
  const cpuMs = (user + system) / 1000 / sweeps;
  sweep.close();
  console.log(
    `${calls} live calls, ${instances} instances, ${sweeps} sweeps by one instance: ` +
      `${wallMs.toFixed(1)} ms wall and ${cpuMs.toFixed(1)} ms CPU per sweep ` +
      `(${((cpuMs / sharedStateDefaults.callLeaseTtlMs) * 100).toFixed(2)} % of a core at one sweep per ` +
      `${sharedStateDefaults.callLeaseTtlMs / 1000} s), ${orphans} orphans found (expected 0)`,
  );
} finally {
  await redis.stop();
}
