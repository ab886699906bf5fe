import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer;
let producer: TestClient;
let agentUi: TestClient;

beforeAll(async () => {
  server = await startServer();
  producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
  agentUi = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.agent);
});

afterAll(async () => {
  producer.close();
  agentUi.close();
  await server.close();
});

/** Runs a call with a fresh agent id, the agent UI subscribed to that agent; returns the cue types in order. */
async function runCall(callId: string, script: (call: CallScript) => Promise<void>) {
  await subscribe(agentUi, { agentId: `agent-${callId}` });
  const call = new CallScript(producer, callId);
  expect((await call.start(`agent-${callId}`)).status).toBe('accepted');
  await script(call);
  await call.end();
  await callEnded(agentUi, callId);
  return agentUi.cues(callId);
}

describe('the ladder over a live call', () => {
  it('a venting-only call gets listening cues, never a limit', async () => {
    const cues = await runCall('vent-only', async (call) => {
      await call.customer('this stupid router has been dead all week');
      await call.agent('I am sorry to hear that, let me check the line for you');
      await call.customer('I am so fed up, it has been dead all week and nobody fixes it');
      await call.customer('this is ridiculous, the router has been dead all week');
    });
    const types = cues.map((c) => c.type);
    expect(types).toEqual(['let-vent', 'acknowledge']);
    expect(types).not.toContain('set-limit');
    expect(cues.map((c) => c.seq)).toEqual([1, 2]);
  });

  it('venting, abuse, limit, more abuse, warning, transfer with a briefing, then the debrief', async () => {
    const cues = await runCall('escalates', async (call) => {
      await call.customer('this stupid router has been dead all week');
      await call.customer('you are a useless idiot');
      await call.agent('I want to sort this out for you');
      await call.customer('are you a moron or just pretending');
      await call.customer('you useless idiot, put someone competent on');
    });
    expect(cues.map((c) => c.type)).toEqual(['let-vent', 'set-limit', 'warn', 'transfer', 'break-debrief']);
    const [, limit, warn, transfer] = cues;
    expect(limit!.step).toBe('limit');
    expect(limit!.evidence[0]).toMatchObject({
      speaker: 'customer',
      text: 'you are a useless idiot',
      label: 'abusive',
    });
    expect(limit!.evidence[0].spans.length).toBeGreaterThan(0);
    expect(limit!.script.length).toBeGreaterThan(0);
    expect(warn!.step).toBe('warning');
    expect(transfer!.step).toBe('transfer');
    expect(transfer!.briefing).toMatchObject({
      abusiveCount: 3,
      threatCount: 0,
      callerNow: 'abusive',
      stepsTaken: ['limit', 'warning', 'transfer'],
    });
    expect(transfer!.briefing.incidents.map((i: { text: string }) => i.text)).toEqual([
      'you are a useless idiot',
      'are you a moron or just pretending',
      'you useless idiot, put someone competent on',
    ]);
    expect(transfer!.briefing.summary).toContain('3 abusive remarks');
    for (const cue of cues) {
      expect(cue).toMatchObject({ callId: 'escalates', agentId: 'agent-escalates', teamId: 'team-a' });
      expect(typeof cue.id).toBe('string');
      expect(typeof cue.emittedAt).toBe('number');
    }
    expect(limit!.segmentReceivedAt).toBeTypeOf('number');
  });

  it('a threat raises the safety alert at once, skipping the ladder', async () => {
    const cues = await runCall('threat', async (call) => {
      await call.customer('i know where you live and i am coming for you');
    });
    expect(cues.map((c) => c.type)).toEqual(['safety-alert', 'break-debrief']);
    expect(cues[0]).toMatchObject({ severity: 'critical', step: 'safety' });
    expect(cues[0]!.briefing.threatCount).toBe(1);
  });

  it('a caller who calms down after the limit takes the agent back to solving', async () => {
    const cues = await runCall('calms', async (call) => {
      await call.customer('you are a useless idiot');
      await call.agent('I can only help if we keep this respectful');
      await call.customer('okay, sorry, can you check my account please');
      await call.customer('the account number is 4471, thank you');
    });
    expect(cues.map((c) => c.type)).toEqual(['set-limit', 'back-to-solving', 'break-debrief']);
    expect(cues[1]!.step).toBe('solve');
  });

  it('an agent who loses their temper is told to stay calm', async () => {
    const cues = await runCall('agent-temper', async (call) => {
      await call.customer('can you tell me why my bill went up');
      await call.agent('shut up you idiot and listen to me');
    });
    expect(cues.map((c) => c.type)).toEqual(['stay-calm']);
    expect(cues[0]!.evidence[0]).toMatchObject({ speaker: 'agent', label: 'abusive' });
  });

  it('an agent who already set the limit gets the warning, not a second limit', async () => {
    const cues = await runCall('agent-led', async (call) => {
      await call.customer('this is a joke of a company and I am sick of it');
      await call.agent('I can only help if you stop shouting at me');
      await call.customer('you are a useless idiot');
      await call.ack('warning-given');
      await call.customer('useless idiot');
    });
    expect(cues.map((c) => c.type)).toEqual(['let-vent', 'warn', 'transfer', 'break-debrief']);
  });

  it('a conditional warning said by the agent counts as the warning: the next abuse gets the warm transfer with its briefing', async () => {
    const cues = await runCall('conditional', async (call) => {
      await call.customer('you are a useless idiot');
      await call.agent('if this carries on i will need to pass you to my manager');
      await call.customer('whatever you useless idiot');
    });
    expect(cues.map((c) => c.type)).toEqual(['set-limit', 'transfer', 'break-debrief']);
    expect(cues[1]!.briefing).toMatchObject({ abusiveCount: 2, stepsTaken: ['limit', 'warning', 'transfer'] });
  });

  it('the labelled transcript says what each agent line does, and nothing for the customer’s', async () => {
    await subscribe(agentUi, { agentId: 'agent-acts' }, { transcript: true });
    const call = new CallScript(producer, 'acts');
    expect((await call.start('agent-acts')).status).toBe('accepted');
    await call.customer('you are a useless idiot');
    await call.agent('if this carries on i will need to pass you to my manager');
    await call.end();
    const labelledFinal = (speaker: string) => (m: { [key: string]: unknown }) =>
      m.type === 'transcript' && m.callId === 'acts' && m.isFinal === true && m.speaker === speaker && 'label' in m;
    expect(await agentUi.next(labelledFinal('customer'))).not.toHaveProperty('act');
    expect(await agentUi.next(labelledFinal('agent'))).toMatchObject({ label: 'neutral', act: 'warn' });
    await callEnded(agentUi, 'acts');
  });

  it('ambiguous menace asks what the caller means, and the line that confirms it raises the safety alert on itself', async () => {
    const cues = await runCall('menace', async (call) => {
      await call.customer('you will see what happens');
      await call.agent('sorry, what do you mean by that');
      await call.customer('i know where you live');
    });
    expect(cues.map((c) => [c.type, c.severity])).toEqual([
      ['ask-meaning', 'notice'],
      ['safety-alert', 'critical'],
      ['break-debrief', 'info'],
    ]);
    expect(cues[1]!.evidence.map((e: { text: string }) => e.text)).toEqual([
      'i know where you live',
      'you will see what happens',
    ]);
  });

  it('ambiguous menace cleared up by the next line raises no alert', async () => {
    const cues = await runCall('menace-cleared', async (call) => {
      await call.customer('you will see what happens');
      await call.customer('i mean i will take this to the ombudsman');
    });
    expect(cues.map((c) => c.type)).toEqual(['ask-meaning']);
  });
});
