import { describe, expect, it } from 'vitest';
import { callEnded } from '../helpers/calls.js';
import { monoFinal } from '../helpers/deepgram.js';
import { TOKENS } from '../helpers/server.js';
import { watchedServer } from '../helpers/watched-server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

const live = watchedServer();

const finalsOf = (callId: string): Message[] =>
  live.ui.received.filter((m) => m.type === 'transcript' && m.callId === callId && m.isFinal);

describe('a call fed by one connection per leg', () => {
  it('keeps two Deepgram mono sessions apart: each leg its speaker, no final dropped as the other leg’s duplicate', async () => {
    const query = (stream: string) =>
      `${live.server.ws}/v1/ingest?format=deepgram&callId=legs-1&agentId=agent-1&stream=${stream}`;
    const customer = await TestClient.connect(query('customer'), TOKENS.ingest);
    const agent = await TestClient.connect(query('agent'), TOKENS.ingest);
    customer.send(monoFinal('the router has been dead all week'));
    agent.send(monoFinal('let me check the line for you'));
    customer.send(monoFinal('the router has been dead all week'));
    expect(await agent.request({ type: 'call.end', id: 'end-legs-1', callId: 'legs-1' })).toMatchObject({
      type: 'ack',
    });
    await callEnded(live.ui, 'legs-1');

    const finals = finalsOf('legs-1');
    expect(finals.map((m) => [m.speaker, m.text])).toEqual(
      expect.arrayContaining([
        ['customer', 'the router has been dead all week'],
        ['agent', 'let me check the line for you'],
      ]),
    );
    expect(finals).toHaveLength(3);
    expect(new Set(finals.map((m) => m.segmentId)).size).toBe(3);
    expect([...customer.received, ...agent.received].filter((m) => m.type === 'error' || m.type === 'notice')).toEqual(
      [],
    );
    customer.close();
    agent.close();
  });
});

describe('utterance assembly on a live connection', () => {
  it('finishes a Deepgram utterance whose end never comes (endpointing off) once the connection goes quiet', async () => {
    const producer = await TestClient.connect(
      `${live.server.ws}/v1/ingest?format=deepgram&callId=quiet-1&agentId=agent-1&stream=customer`,
      TOKENS.ingest,
    );
    producer.send({ ...monoFinal('i have been waiting for an hour'), speech_final: false });
    const line = await live.ui.next((m) => m.type === 'transcript' && m.callId === 'quiet-1' && m.isFinal);
    expect(line).toMatchObject({
      speaker: 'customer',
      text: 'i have been waiting for an hour',
      startMs: 1500,
      endMs: 3500,
    });
    producer.close();
  });
});

describe('valid messages that cannot be used', () => {
  it('are counted by reason in /metrics and reported once on the connection', async () => {
    const producer = await TestClient.connect(
      `${live.server.ws}/v1/ingest?format=amazon-transcribe&callId=drops-1&agentId=agent-1`,
      TOKENS.ingest,
    );
    const result = (isPartial: boolean, transcript: string) => ({
      Transcript: {
        Results: [
          {
            ResultId: 'r1',
            IsPartial: isPartial,
            StartTime: 0.5,
            EndTime: 1.5,
            ChannelId: 'ch_0',
            Alternatives: [{ Transcript: transcript }],
          },
        ],
      },
    });
    producer.send(result(false, 'i want to cancel'));
    producer.send(result(true, 'i want to'));
    producer.send(result(true, 'i want'));
    const notice = await producer.next((m) => m.type === 'notice');
    expect(notice).toMatchObject({ code: 'dropped', reason: 'closed_segment', callId: 'drops-1' });
    expect(await producer.request({ type: 'call.end', id: 'end-drops-1', callId: 'drops-1' })).toMatchObject({
      type: 'ack',
    });
    expect(producer.received.filter((m) => m.type === 'notice')).toHaveLength(1);

    const metrics = await (await fetch(`${live.server.http}/metrics`)).text();
    expect(metrics).toMatch(
      /callguard_provider_messages_dropped_total\{format="amazon-transcribe",reason="closed_segment"\} 2/,
    );
    producer.close();
  });
});
