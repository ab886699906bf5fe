import type { FastifyBaseLogger } from 'fastify';
import { QueueFullError } from '../classifier/micro-batcher.js';
import type { Classifier, Priority } from '../classifier/classifier.js';
import type { ContextTurn, Verdict } from '../protocol/verdict.js';
import { advance } from '../ladder/ladder.js';
import type { Policy } from '../ladder/policy.js';
import type { LadderEvent } from '../ladder/state.js';
import type { Metrics } from '../metrics.js';
import type { AckStep } from '../protocol/common.js';
import { refusal, type Outcome } from '../protocol/errors.js';
import type { AckStatus } from '../protocol/ingest-messages.js';
import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';
import { FencedError, type CallInfo } from '../state/call-state.js';
import type { OwnedCall } from '../state/call-ownership.js';
import { epochMatches } from '../state/epoch.js';
import type { SharedHub } from '../state/shared-hub.js';
import { CallTranscript, type TranscriptOptions } from '../transcript/call-transcript.js';
import { ClassificationScheduler } from './classification-scheduler.js';
import { onlySignedWebhooks } from './joining.js';

export interface SessionDeps {
  classifier: Classifier;
  policy: Policy;
  hub: SharedHub;
  metrics: Metrics;
  log: FastifyBaseLogger;
  transcript: TranscriptOptions;
  /** A partial is classified once it has been its segment's latest revision this long. */
  partialDebounceMs: number;
  /**
   * Whether the tenant has a Twilio auth token: only its calls can be fed by signed webhooks only,
   * so only their openings read that mark in the shared state.
   */
  signsWebhooks(tenant: string): boolean;
}

export const sessionDefaults = { partialDebounceMs: 120 } satisfies Partial<SessionDeps>;

/** When a chunk arrived: wall clock for the cue's timestamps, monotonic clock for the latency metric. */
export interface Arrival {
  at: number;
  perf: number;
}

export const arrivalNow = (): Arrival => ({ at: Date.now(), perf: performance.now() });

/** How a session comes to open its call. */
interface SessionStart {
  /** The producer starting the call is a signed Twilio webhook. */
  bySignedWebhook?: boolean;
  /** The end of the call's previous session here, ended before it was open: this one opens once it is done. */
  after?: Promise<unknown> | undefined;
}

/**
 * One live call: assembles its transcript, has its lines classified (see ClassificationScheduler
 * for when, and in what order the verdicts are used), runs the ladder and hands the cues to the
 * hub. A final that still cannot be classified is announced to the call's subscribers as
 * `unclassified`.
 */
export class CallSession {
  private readonly transcript: CallTranscript;
  private readonly classification: ClassificationScheduler;
  /** Every line names the call by tenant and id: call ids are unique only within a tenant. */
  private readonly log: FastifyBaseLogger;
  private lastEndMs = 0;
  private ended = false;
  /**
   * How opening the call went: this opening of it in the hub, with the ladder where its last owner
   * left it; refused when another instance drives the call or (for a producer other than a signed
   * webhook) signed webhooks feed it; rejected when the shared state cannot be reached.
   */
  readonly opening: Promise<Outcome<{ call: OwnedCall }>>;
  /**
   * The opening, undefined when the call is not driven here. Work left over after the call is
   * started again, or taken by another instance, cannot reach it.
   */
  readonly opened: Promise<OwnedCall | undefined>;
  private openedEpoch: string | undefined;

  constructor(
    readonly info: CallInfo,
    private readonly deps: SessionDeps,
    start: SessionStart = {},
  ) {
    this.log = deps.log.child({ tenant: info.tenant, callId: info.callId });
    this.transcript = new CallTranscript(deps.transcript);
    // Chunks sent right after the start are taken at once and wait for the opening, in order.
    this.opening = this.open(start);
    this.opened = this.opening.then(
      (opening) => {
        if (!opening.ok) return undefined;
        this.openedEpoch = opening.call.epoch;
        return opening.call;
      },
      (error: unknown) => {
        this.failed('open', error);
        return undefined;
      },
    );
    this.classification = new ClassificationScheduler(
      {
        classify: (text, priority, speaker, context) => this.classify(text, priority, speaker, context),
        isLatest: (chunk) => this.transcript.isLatest(chunk.segmentId, chunk.seq),
        labelPartial: (chunk, verdict) => this.publishTranscript(chunk, verdict),
        failed: (where, error) => this.failed(where, error),
        partialDebounceMs: deps.partialDebounceMs,
        keptPartialVerdicts: deps.transcript.maxOpenSegments,
      },
      this.opened,
    );
    // A call taken over may have acks waiting, posted on another instance while nobody drove it.
    this.takePostedAcks();
  }

  ingest(sent: TranscriptChunk, arrival: Arrival): AckStatus {
    // The words without the whitespace around them, as the classifier reads them: evidence offsets
    // count from the first. A NUL is no speech, and PostgreSQL refuses text holding one.
    const chunk = { ...sent, text: sent.text.replaceAll('\u0000', '').trim() };
    const assembly = this.transcript.accept(chunk);
    this.deps.metrics.chunks.inc({ outcome: assembly.kind });
    if (assembly.kind === 'duplicate' || assembly.kind === 'stale') return assembly.kind;
    this.lastEndMs = Math.max(this.lastEndMs, chunk.endMs);
    if (assembly.kind === 'final') {
      this.final(chunk, assembly.context, arrival);
      return 'accepted';
    }
    this.publishTranscript(chunk).catch((error: unknown) => this.failed('transcript', error));
    this.classification.partial(chunk, assembly.kind === 'partial');
    return 'accepted';
  }

  /** This opening's epoch once the call is open here: undefined until then, and when it is not driven here. */
  get epoch(): string | undefined {
    return this.openedEpoch;
  }

  /**
   * The agent took a ladder step: applied after every line already received and before any
   * received later, unless `epoch` names another call of this id than this opening.
   */
  acknowledge(step: AckStep, epoch?: string): void {
    const event: LadderEvent = { type: 'agent-ack', step, atMs: this.lastEndMs };
    this.classification.inOrder('ladder', () =>
      this.withCall(async (call) => {
        if (epochMatches(epoch, call.epoch)) await this.runLadder(event);
      }),
    );
  }

  /**
   * Takes the acks posted on other instances for this call and applies them as if they had come
   * now: after every line already received, before any received later.
   */
  takePostedAcks(): void {
    this.withCall(async (call) => {
      for (const ack of await this.deps.hub.takeAcks(call)) this.acknowledge(ack.step, ack.epoch);
    }).catch((error: unknown) => this.failed('acks', error));
  }

  /** Ends the call once every final already received has been through the ladder. */
  end(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.classification.stop();
      this.apply({ type: 'call-end', atMs: this.lastEndMs });
      this.classification.inOrder('end', () => this.withCall((call) => this.deps.hub.endCall(call)));
    }
    return this.classification.settled();
  }

  /** Resolves when everything received so far has produced its cues. */
  settled(): Promise<void> {
    return this.classification.settled();
  }

  private async open({ bySignedWebhook = false, after }: SessionStart): Promise<Outcome<{ call: OwnedCall }>> {
    const { hub, signsWebhooks } = this.deps;
    const { tenant, callId } = this.info;
    await after;
    if (!bySignedWebhook && signsWebhooks(tenant) && (await hub.signedWebhooksOnly(this.info)))
      return onlySignedWebhooks(callId);
    const call = await hub.openCall(this.info);
    return call ? { ok: true, call } : refusal('call_exists', `callId: call ${callId} is driven by another instance`);
  }

  private final(chunk: TranscriptChunk, context: string[], arrival: Arrival): void {
    const classifying = this.classification.final(chunk, async (result) => {
      if (!result.ok) return this.unclassified(chunk, result.error);
      const utterance = {
        utteranceId: chunk.segmentId,
        speaker: chunk.speaker,
        text: chunk.text,
        verdict: result.verdict,
        startMs: chunk.startMs,
        endMs: chunk.endMs,
      };
      // Both writes leave in this order on the store's one connection; neither waits for the other.
      await Promise.all([
        this.publishTranscript(chunk, result.verdict, arrival.at),
        this.runLadder({ type: 'utterance', utterance, context }, arrival),
      ]);
    });
    // A final without words (speech-to-text withdrew the segment) is shown closed, in its place.
    if (!classifying) this.classification.inOrder('final', () => this.publishTranscript(chunk, undefined, arrival.at));
  }

  private unclassified(chunk: TranscriptChunk, error: unknown): Promise<void> {
    const reason = error instanceof QueueFullError ? 'overloaded' : 'failed';
    const { callId, segmentId, speaker, startMs, endMs } = chunk;
    return this.withCall((call) => {
      this.log.warn({ err: error, segmentId, reason }, 'final segment could not be classified; subscribers are told');
      this.deps.metrics.finalsUnclassified.inc({ reason });
      return this.deps.hub.unclassified(call, {
        type: 'unclassified',
        callId,
        segmentId,
        speaker,
        startMs,
        endMs,
        reason,
      });
    });
  }

  private async classify(
    text: string,
    priority: Priority,
    speaker: SpeakerRole,
    context: readonly ContextTurn[],
  ): Promise<Verdict> {
    // A line sent while the call opened is read only once the call turns out to be driven here.
    if (this.openedEpoch === undefined && !(await this.opened))
      throw new FencedError(`call ${this.info.callId}: not driven here, its lines are not read`);
    const started = performance.now();
    try {
      // The tenant is the fairness lane: a busy tenant cannot starve another of the classifier.
      return await this.deps.classifier.classify(text, priority, speaker, context, this.info.tenant);
    } catch (error) {
      this.deps.metrics.classifyFailures.inc({ reason: (error as Error).name ?? 'Error' });
      throw error;
    } finally {
      this.deps.metrics.classifyLatency.observe({ source: 'ingest', priority }, (performance.now() - started) / 1000);
    }
  }

  private apply(event: LadderEvent): void {
    this.classification.inOrder('ladder', () => this.runLadder(event));
  }

  private failed(where: string, error: unknown): void {
    if (error instanceof FencedError) {
      // The call was started again, or another instance took it: what this opening still had to say is void.
      this.log.info({ where, reason: error.message }, 'late work of a call no longer driven here dropped');
      return;
    }
    this.log.error({ err: error, where }, 'call session step failed');
    this.deps.metrics.internalErrors.inc({ where: `session-${where}` });
  }

  /** Runs `work` with this opening of the call, unless another instance drives it. */
  private async withCall(work: (call: OwnedCall) => Promise<void>): Promise<void> {
    const call = await this.opened;
    if (call) await work(call);
  }

  private runLadder(event: LadderEvent, arrival?: Arrival): Promise<void> {
    const { hub, metrics, policy, log } = this.deps;
    return this.withCall(async (call) => {
      const cues = await hub.apply(call, (state) => advance(state, event, policy), arrival?.at);
      for (const cue of cues) {
        metrics.cues.inc({ type: cue.type });
        // An operator's log shows every alarm; the customer's words stay out of it (they are in the record).
        if (cue.type === 'safety-alert') {
          const { tenant, callId, agentId } = this.info;
          log.warn({ tenant, callId, agentId, seq: cue.seq }, 'safety alert raised');
        }
        if (arrival) metrics.finalToCue.observe((performance.now() - arrival.perf) / 1000);
      }
    });
  }

  /** Sends a transcript event in the order the session makes them (partials are published outside the chain). */
  private publishTranscript(chunk: TranscriptChunk, verdict?: Verdict, receivedAt?: number): Promise<void> {
    const { callId, segmentId, speaker, isFinal, text, startMs, endMs } = chunk;
    return this.withCall((call) =>
      this.deps.hub.transcript(call, {
        type: 'transcript',
        callId,
        segmentId,
        speaker,
        isFinal,
        text,
        startMs,
        endMs,
        ...(verdict ? { label: verdict.label, scores: verdict.scores, spans: verdict.spans } : {}),
        ...(verdict?.act ? { act: verdict.act } : {}),
        ...(receivedAt !== undefined ? { receivedAt } : {}),
      }),
    );
  }
}
