// Redis memory per 1,000 calls (docs/deployment.md): fills a throwaway redis-server with calls as
// the service keeps them, at the default settings (CUE_REPLAY_BUFFER 256, TRANSCRIPT_REPLAY_LINES 50),
// and reports used_memory before and after. Usage: npx tsx bench/redis-memory.ts [calls] [lines per call]
import type { Redis } from 'ioredis';
import { advance } from '../src/ladder/ladder.js';
import { loadPolicy } from '../src/ladder/policy.js';
import { initialLadderState, type LadderState } from '../src/ladder/state.js';
import type { Cue } from '../src/protocol/cue.js';
import { redisCallStore } from '../src/state/redis-store.js';
import { keywordVerdict } from '../test/helpers/keyword-classifier.js';
import { startRedis } from '../test/helpers/redis.js';

const calls = Number(process.argv[2] ?? 1000);
const linesPerCall = Number(process.argv[3] ?? 60);
const policy = loadPolicy(undefined);
// A hard call: venting, then abuse up the ladder, then calm; both speakers, speech-to-text style.
const SCRIPT = [
  ['customer', 'uh my internet has been dead all week and nobody calls me back this is ridiculous'],
  ['agent', 'i am sorry to hear that let me pull up your account and check the line for you'],
  ['customer', 'you people are useless absolutely useless'],
  ['agent', 'i want to help and i can do that while we keep this respectful'],
  ['customer', 'shut up you idiot just fix it'],
  ['customer', 'i already rebooted the router like three times this morning'],
] as const;

const used = async (client: Redis): Promise<number> =>
  Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);

const redis = await startRedis();
try {
  const client = redis.client();
  const store = redisCallStore(client, { replayBuffer: 256, transcriptLines: 50 });
  const before = await used(client);
  let cueCount = 0;
  for (let c = 0; c < calls; c++) {
    const info = {
      tenant: 'acme',
      callId: `call-${c}-${'x'.repeat(20)}`,
      agentId: `agent-${c % 300}`,
      teamId: `team-${c % 20}`,
    };
    const lease = (await store.leases.acquire(info, 'memory-bench', 60_000))!;
    const { epoch } = await store.cues.numbering(info);
    let ladder: LadderState = initialLadderState();
    let lastSeq = 0;
    for (let n = 0; n < linesPerCall; n++) {
      const [speaker, text] = SCRIPT[n % SCRIPT.length]!;
      const verdict = keywordVerdict(text);
      const startMs = n * 3000;
      await store.transcripts.append(info, lease, {
        type: 'transcript',
        callId: info.callId,
        segmentId: `seg-${n}`,
        speaker,
        isFinal: true,
        text,
        startMs,
        endMs: startMs + 2500,
        label: verdict.label,
        scores: verdict.scores,
        spans: verdict.spans,
      });
      const step = advance(
        ladder,
        {
          type: 'utterance',
          utterance: { utteranceId: `seg-${n}`, speaker, text, verdict, startMs, endMs: startMs + 2500 },
          context: [],
        },
        policy,
      );
      const cues: Cue[] = step.cues.map((draft, i) => ({
        id: crypto.randomUUID(),
        seq: lastSeq + 1 + i,
        epoch,
        callId: info.callId,
        agentId: info.agentId,
        teamId: info.teamId,
        ...draft,
        segmentReceivedAt: Date.now(),
        emittedAt: Date.now(),
      }));
      ladder = step.state;
      lastSeq += cues.length;
      cueCount += cues.length;
      const summary = {
        callId: info.callId,
        agentId: info.agentId,
        teamId: info.teamId,
        epoch,
        lastSeq,
        step: ladder.step,
        ended: false,
      };
      await store.ladders.commit(info, lease, { ladder, cues, summary });
    }
  }
  const after = await used(client);
  const perCall = (after - before) / calls;
  console.log(
    JSON.stringify({
      calls,
      linesPerCall,
      cuesPerCall: cueCount / calls,
      bytesPerCall: Math.round(perCall),
      mibPer1000Calls: Number(((perCall * 1000) / 2 ** 20).toFixed(1)),
    }),
  );
} finally {
  await redis.stop();
}
