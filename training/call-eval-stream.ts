import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { AGENT_ACTS, LABELS } from '../src/protocol/labels.js';
import type { AgentAct, Label } from '../src/protocol/verdict.js';
import type { TranscriptChunk } from '../src/protocol/transcript-chunk.js';
import type { EvalCall } from './call-eval-set.js';
import type { ObservedCall, ObservedCue, ObservedLine } from './call-eval-score.js';

/** Speech pace of the scripted calls, in call time. */
const MS_PER_WORD = 330;
const MIN_TURN_MS = 800;
const GAP_MS = 600;
/** Partial revisions end at these shares of a turn's words (turns of five words or more). */
const PARTIAL_CUTS = [0.4, 0.75];

export const segmentIdOf = (callId: string, turn: number): string => `${callId}-t${turn}`;

/** Every turn as speech-to-text would send it: growing partial revisions, then the final, with call times in ms. */
export function callChunks(call: EvalCall, callId: string): TranscriptChunk[] {
  const chunks: TranscriptChunk[] = [];
  let atMs = 0;
  call.turns.forEach((turn, i) => {
    const words = turn.text.split(/\s+/).filter(Boolean);
    const startMs = atMs;
    const endMs = startMs + Math.max(MIN_TURN_MS, words.length * MS_PER_WORD);
    const base = { callId, segmentId: segmentIdOf(callId, i), speaker: turn.speaker, startMs };
    const cuts = words.length >= 5 ? [...new Set(PARTIAL_CUTS.map((share) => Math.floor(words.length * share)))] : [];
    for (const cut of cuts) {
      chunks.push({
        ...base,
        seq: chunks.length,
        isFinal: false,
        text: words.slice(0, cut).join(' '),
        endMs: startMs + cut * MS_PER_WORD,
      });
    }
    chunks.push({ ...base, seq: chunks.length, isFinal: true, text: turn.text, endMs });
    atMs = endMs + GAP_MS;
  });
  return chunks;
}

export interface StreamTarget {
  /** ws://host:port */
  ws: string;
  ingestToken: string;
  subscribeToken: string;
}

export interface StreamOptions {
  /** Call time runs this many times faster than real time. */
  speed: number;
  /** How long to wait for the subscription, and for the call's end after call.end was sent. */
  endTimeoutMs: number;
}

type Message = Record<string, unknown>;

function open(url: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`${url}: HTTP ${response.statusCode}`)),
    );
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const isLabel = (value: unknown): value is Label => (LABELS as readonly unknown[]).includes(value);
const isAct = (value: unknown): value is AgentAct => (AGENT_ACTS as readonly unknown[]).includes(value);

/** Gathers the subscriber's view of one call: its cues and its labelled finals, by turn index. */
class CallCollector {
  readonly cues: ObservedCue[] = [];
  readonly lines: ObservedLine[] = [];
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(
    private readonly callId: string,
    private readonly turnOf: ReadonlyMap<string, number>,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  receive(message: Message): void {
    if (message.type === 'cue') {
      const cue = message.cue as { callId: string; type: string; evidence: Array<{ utteranceId: string }> };
      if (cue.callId !== this.callId) return;
      const line = cue.evidence[0] ? this.turnOf.get(cue.evidence[0].utteranceId) : undefined;
      this.cues.push({ type: cue.type, ...(line !== undefined ? { evidenceLine: line } : {}) });
    } else if (message.type === 'transcript' && message.isFinal === true && message.callId === this.callId) {
      const turn = this.turnOf.get(String(message.segmentId));
      if (turn === undefined || !isLabel(message.label)) return;
      this.lines[turn] = { label: message.label, ...(isAct(message.act) ? { act: message.act } : {}) };
    } else if (
      message.type === 'call' &&
      message.event === 'ended' &&
      (message.call as { callId?: string }).callId === this.callId
    ) {
      this.resolveEnded();
    }
  }
}

/**
 * Streams one call into the service over a real ingest connection, paced by its call times
 * (sped up), with a transcript subscriber on the call; resolves with what the subscriber saw.
 */
export async function streamCall(
  target: StreamTarget,
  call: EvalCall,
  callId: string,
  options: StreamOptions,
): Promise<ObservedCall> {
  const chunks = callChunks(call, callId);
  const collector = new CallCollector(callId, new Map(call.turns.map((_, i) => [segmentIdOf(callId, i), i])));
  const subscriber = await open(`${target.ws}/v1/subscribe`, target.subscribeToken);
  const producer = await open(`${target.ws}/v1/ingest`, target.ingestToken);
  try {
    const subscribed = new Promise<void>((resolve) =>
      subscriber.on('message', (data) => {
        const message = JSON.parse(data.toString()) as Message;
        if (message.type === 'subscribed') resolve();
        collector.receive(message);
      }),
    );
    producer.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as Message;
      if (reply.type === 'error') console.error(`${call.id}: the service refused a message: ${String(reply.message)}`);
    });
    subscriber.send(JSON.stringify({ type: 'subscribe', scope: { callId }, transcript: true }));
    await withTimeout(subscribed, options.endTimeoutMs, `${call.id}: no answer to the subscription`);
    producer.send(JSON.stringify({ type: 'call.start', callId, agentId: `agent-${call.category}`, teamId: 'eval' }));
    const started = Date.now();
    for (const chunk of chunks) {
      const due = started + chunk.endMs / options.speed;
      if (due > Date.now()) await sleep(due - Date.now());
      producer.send(JSON.stringify({ type: 'transcript', chunk }));
    }
    producer.send(JSON.stringify({ type: 'call.end', callId }));
    await withTimeout(
      collector.ended,
      options.endTimeoutMs,
      `${call.id}: the call did not end within ${options.endTimeoutMs} ms`,
    );
    return { cues: collector.cues, lines: collector.lines };
  } finally {
    producer.close();
    subscriber.close();
  }
}
