import { describe, expect, it } from 'vitest';
import type { AgentAct, Label } from '../../src/protocol/verdict.js';
import { advance, readAgentAct, readCustomer } from '../../src/ladder/ladder.js';
import { DEFAULT_POLICY, parsePolicy } from '../../src/ladder/policy.js';
import { initialLadderState, type LadderEvent, type LadderState } from '../../src/ladder/state.js';
import type { AckStep } from '../../src/protocol/common.js';

let n = 0;
function said(
  speaker: 'customer' | 'agent',
  text: string,
  label: Label,
  score = 0.9,
  context: string[] = [],
  act?: AgentAct,
  actScore = 0.9,
): LadderEvent {
  const scores = { neutral: 0, venting: 0, abusive: 0, threat: 0, [label]: score };
  const startMs = 1000 * n++;
  const verdict = { label, scores, spans: [], ...(act ? { act, actScores: { ...NO_ACT, [act]: actScore } } : {}) };
  return {
    type: 'utterance',
    utterance: { utteranceId: `u${n}`, speaker, text, verdict, startMs, endMs: startMs + 900 },
    context,
  };
}
const NO_ACT = { 'set-limit': 0, warn: 0, transfer: 0, release: 0, acknowledge: 0, policy: 0, other: 0 };
const customer = (text: string, label: Label, score?: number, context?: string[]) =>
  said('customer', text, label, score, context);
const agent = (text: string, label: Label = 'neutral', score?: number) => said('agent', text, label, score);
const agentDoes = (text: string, act: AgentAct, label: Label = 'neutral', actScore?: number) =>
  said('agent', text, label, 0.9, [], act, actScore);
const ack = (step: AckStep): LadderEvent => ({ type: 'agent-ack', step, atMs: 0 });
const end: LadderEvent = { type: 'call-end', atMs: 0 };

/** Runs the events in order; returns the final state and the cue types per event. */
function run(events: LadderEvent[], state: LadderState = initialLadderState(), policy = DEFAULT_POLICY) {
  const perEvent: string[][] = [];
  const cues = [];
  for (const event of events) {
    const t = advance(state, event, policy);
    state = t.state;
    perEvent.push(t.cues.map((c) => c.type));
    cues.push(...t.cues);
  }
  return { state, perEvent, types: perEvent.flat(), cues };
}

const abuse = () => customer('you are a useless idiot', 'abusive');

describe('venting', () => {
  it('cues letting them vent once, then acknowledging when they repeat themselves', () => {
    const { types, state } = run([
      customer('this router is rubbish', 'venting'),
      customer('my internet has been down for a week', 'venting', 0.9, ['this router is rubbish']),
      customer('the internet has been down a week', 'venting', 0.9, [
        'this router is rubbish',
        'my internet has been down for a week',
      ]),
    ]);
    expect(types).toEqual(['let-vent', 'acknowledge']);
    expect(state.step).toBe('acknowledge');
  });

  it('acknowledges after enough venting turns in a row even without repetition', () => {
    const { perEvent } = run([
      customer('a', 'venting'),
      customer('b', 'venting'),
      customer('c', 'venting'),
      customer('d', 'venting'),
      customer('e', 'venting'),
    ]);
    expect(perEvent).toEqual([['let-vent'], [], [], ['acknowledge'], []]);
  });

  it('a neutral turn ends the venting run', () => {
    const { types } = run([
      customer('a', 'venting'),
      customer('b', 'venting'),
      customer('ok', 'neutral'),
      customer('c', 'venting'),
      customer('d', 'venting'),
    ]);
    expect(types).toEqual(['let-vent']);
  });

  it("counts a calm complaint read as neutral as venting from the policy's venting point", () => {
    const calm = (text: string, venting: number): LadderEvent => {
      const event = customer(text, 'neutral', 1 - venting) as Extract<LadderEvent, { type: 'utterance' }>;
      event.utterance.verdict.scores.venting = venting;
      return event;
    };
    const events = () => [
      customer('a', 'venting'),
      customer('b', 'venting'),
      calm('i have rung four times about this', 0.3),
      customer('c', 'venting'),
    ];
    const withPoint = (ventingMinScore: number) =>
      parsePolicy({ ...DEFAULT_POLICY, thresholds: { ...DEFAULT_POLICY.thresholds, ventingMinScore } }, 'test.json');
    expect(run(events(), initialLadderState(), withPoint(0.25)).perEvent).toEqual([
      ['let-vent'],
      [],
      [],
      ['acknowledge'],
    ]);
    expect(run(events(), initialLadderState(), withPoint(0.35)).types).toEqual(['let-vent']);
  });

  it('treats low-confidence abuse and threats as venting', () => {
    const low = customer('x', 'abusive', 0.4) as Extract<LadderEvent, { type: 'utterance' }>;
    expect(readCustomer(low.utterance, DEFAULT_POLICY, false)).toBe('venting');
    expect(run([customer('x', 'threat', 0.2)]).types).toEqual(['let-vent']);
  });
});

describe('abuse climbs the ladder one rung at a time', () => {
  it('limit, warning, transfer with briefing, release, then nothing more', () => {
    const { types, state, cues } = run([abuse(), abuse(), abuse(), abuse(), abuse()]);
    expect(types).toEqual(['set-limit', 'warn', 'transfer', 'release']);
    expect(state.step).toBe('release');
    expect(cues[2]!.briefing).toMatchObject({
      abusiveCount: 3,
      callerNow: 'abusive',
      stepsTaken: ['limit', 'warning', 'transfer'],
    });
    expect(cues[0]!.briefing).toBeUndefined();
    expect(cues.map((c) => c.step)).toEqual(['limit', 'warning', 'transfer', 'release']);
  });

  it('keeps only the newest incidents for the briefing', () => {
    const { state } = run(Array.from({ length: 8 }, abuse));
    expect(state.incidents).toHaveLength(DEFAULT_POLICY.thresholds.briefingIncidents);
    expect(state.abusiveCount).toBe(8);
  });
});

describe('threats', () => {
  it('skip the ladder straight to a safety alert, and the ladder stays out of it', () => {
    const { perEvent, state, cues } = run([
      customer('i know where you live', 'threat'),
      abuse(),
      customer('watch your back tonight', 'threat'),
      end,
    ]);
    expect(perEvent).toEqual([['safety-alert'], [], [], ['break-debrief']]);
    expect(state.step).toBe('safety');
    expect(cues[0]).toMatchObject({ severity: 'critical', briefing: { threatCount: 1 } });
    // Later threats raise no second alert but are kept for the briefing.
    expect(cues[1]!.briefing).toMatchObject({ threatCount: 2, abusiveCount: 1 });
  });

  it('override a ladder already under way', () => {
    expect(run([abuse(), abuse(), customer('i will hurt you', 'threat')]).types).toEqual([
      'set-limit',
      'warn',
      'safety-alert',
    ]);
  });

  it('carry the threatening line as the evidence, not the venting before it', () => {
    const { cues } = run([
      customer('this company is a f***ing disgrace', 'venting'),
      customer('i know where you live', 'threat'),
    ]);
    expect(cues.at(-1)).toMatchObject({
      type: 'safety-alert',
      evidence: [{ text: 'i know where you live', label: 'threat' }],
    });
  });
});

describe('a threat its context talks down', () => {
  const { menaceMinScore, threatMinScore } = DEFAULT_POLICY.thresholds;
  /** A customer line read as venting in its context, with the threat score it has read alone. */
  const readAlone = (threatAlone: number) => {
    const event = customer('i will be waiting for you outside', 'venting') as Extract<
      LadderEvent,
      { type: 'utterance' }
    >;
    event.utterance.verdict.threatAlone = threatAlone;
    return event;
  };

  it('still alerts when the line read alone is a clear threat, and its evidence shows both readings', () => {
    const threatAlone = (threatMinScore + 1) / 2;
    const { types, cues } = run([readAlone(threatAlone)]);
    expect(types).toEqual(['safety-alert']);
    expect(cues[0]!.evidence).toMatchObject([{ label: 'threat', threatAlone, scores: { threat: 0 } }]);
  });

  it('asks what the caller means when the line read alone is ambiguous menace', () => {
    expect(run([readAlone((menaceMinScore + threatMinScore) / 2)]).types).toEqual(['ask-meaning']);
  });

  it('is read as its context reads it when the line alone is harmless', () => {
    expect(run([readAlone(menaceMinScore / 2)]).types).toEqual(['let-vent']);
  });
});

describe('a caller who has already abused the agent', () => {
  const { abusiveMinScore } = DEFAULT_POLICY.thresholds;
  const policy = structuredClone(DEFAULT_POLICY);
  policy.thresholds.abusiveRepeatMinScore = abusiveMinScore / 2;
  /** An abusive reading between the two scores: venting from a first-time caller, abuse from a repeat one. */
  const borderline = () => customer('you sound about twelve', 'abusive', (abusiveMinScore * 3) / 4);

  it('is read with the lower abuse score once a limit has been cued', () => {
    expect(run([borderline(), abuse(), borderline()], initialLadderState(), policy).perEvent).toEqual([
      ['let-vent'],
      ['set-limit'],
      ['warn'],
    ]);
  });

  it('is read with the lower abuse score once the agent has set a limit on their own', () => {
    const events = [agentDoes('i can help if we keep this respectful', 'set-limit'), borderline()];
    expect(run(events, initialLadderState(), policy).types).toEqual(['warn']);
  });
});

describe('ambiguous menace', () => {
  const { menaceMinScore, threatMinScore } = DEFAULT_POLICY.thresholds;
  /** A threat score inside the ask-meaning band, whatever the chosen thresholds. */
  const menaceScore = (menaceMinScore + threatMinScore) / 2;
  const menacing = (text: string) => customer(text, 'threat', menaceScore);

  it('reads threat scores in three bands', () => {
    const read = (score: number) =>
      readCustomer(
        (customer('x', 'threat', score) as Extract<LadderEvent, { type: 'utterance' }>).utterance,
        DEFAULT_POLICY,
        false,
      );
    expect([read(menaceMinScore / 2), read(menaceScore), read((threatMinScore + 1) / 2)]).toEqual([
      'venting',
      'menace',
      'threat',
    ]);
  });

  it('asks what the caller means, quietly, and a confirming line raises the alert on that line', () => {
    const { perEvent, cues, state } = run([
      menacing('you will see what happens'),
      customer('i know where you live', 'threat'),
    ]);
    expect(perEvent).toEqual([['ask-meaning'], ['safety-alert']]);
    expect(cues[0]).toMatchObject({ severity: 'notice', evidence: [{ text: 'you will see what happens' }] });
    expect(cues[1]!.evidence.map((e) => e.text)).toEqual(['i know where you live', 'you will see what happens']);
    expect(state.step).toBe('safety');
  });

  it('menace said twice is confirmed', () => {
    expect(run([menacing('watch yourself'), menacing('i mean it watch yourself')]).types).toEqual([
      'ask-meaning',
      'safety-alert',
    ]);
  });

  it('a line that clears it up ends the question without an alert', () => {
    const { types, state } = run([
      menacing('you will see'),
      customer('i mean i will take it to the ombudsman', 'venting'),
      menacing('you will see'),
    ]);
    expect(types).toEqual(['ask-meaning', 'let-vent', 'ask-meaning']);
    expect(state.threatCount).toBe(0);
  });

  it('a clear threat still alerts at once', () => {
    expect(run([customer('i am going to kill you', 'threat', 0.95)]).types).toEqual(['safety-alert']);
  });
});

describe('calming down', () => {
  it('after a limit, calm turns take the agent back to solving, once', () => {
    const { perEvent, state } = run([
      abuse(),
      customer('sorry', 'neutral'),
      customer('my account is 12', 'neutral'),
      customer('thanks', 'neutral'),
    ]);
    expect(perEvent).toEqual([['set-limit'], [], ['back-to-solving'], []]);
    expect(state.step).toBe('solve');
  });

  it('abuse after calming down gets the warning, not a second limit', () => {
    expect(run([abuse(), customer('ok', 'neutral'), customer('fine', 'neutral'), abuse()]).types).toEqual([
      'set-limit',
      'back-to-solving',
      'warn',
    ]);
  });

  it('abuse resets the calm count', () => {
    expect(run([abuse(), customer('ok', 'neutral'), abuse(), customer('ok', 'neutral')]).types).toEqual([
      'set-limit',
      'warn',
    ]);
  });
});

describe("the agent's own speech", () => {
  it('setting the limit unprompted means the next abuse is the warning', () => {
    const { types, state } = run([
      customer('this is a joke', 'venting'),
      agentDoes('I can only help if we keep this respectful', 'set-limit'),
      abuse(),
    ]);
    expect(types).toEqual(['let-vent', 'warn']);
    expect(state.stepsTaken).toEqual(['limit', 'warning']);
  });

  it('a warning or transfer said by the agent moves the ladder too', () => {
    expect(run([abuse(), agentDoes('If this continues I will have to transfer you', 'warn'), abuse()]).types).toEqual([
      'set-limit',
      'transfer',
    ]);
    expect(run([abuse(), agentDoes("I'm transferring you to my supervisor now", 'transfer'), abuse()]).types).toEqual([
      'set-limit',
      'release',
    ]);
  });

  it('a conditional warning followed by abuse leads to the warm transfer with its briefing', () => {
    const { cues } = run([
      abuse(),
      agentDoes('if this carries on i will need to pass you to my manager', 'warn'),
      abuse(),
    ]);
    expect(cues.map((c) => c.type)).toEqual(['set-limit', 'transfer']);
    expect(cues[1]!.briefing).toMatchObject({ abusiveCount: 2, stepsTaken: ['limit', 'warning', 'transfer'] });
  });

  it('an act the model is unsure of, or a policy statement, takes no step', () => {
    const unsure = agentDoes('i will need to transfer you', 'transfer', 'neutral', 0.3) as Extract<
      LadderEvent,
      { type: 'utterance' }
    >;
    expect(readAgentAct(unsure.utterance, DEFAULT_POLICY)).toBe('other');
    expect(run([abuse(), unsure, abuse()]).types).toEqual(['set-limit', 'warn']);
    expect(
      run([agentDoes('i want to help you but i need to run a security check first', 'policy'), abuse()]).types,
    ).toEqual(['set-limit']);
  });

  it("agent sympathy that names the caller's anger draws no stay-calm", () => {
    expect(
      run([agentDoes('i can hear how fed up you are with this damn router', 'acknowledge', 'venting')]).types,
    ).toEqual([]);
  });

  it('an agent venting or swearing is told to stay calm, not more often than the cooldown', () => {
    const { perEvent, cues, state } = run([agent('oh for god sake', 'venting'), agent('listen you idiot', 'abusive')]);
    expect(perEvent).toEqual([['stay-calm'], []]);
    expect(cues[0]!.severity).toBe('notice');
    n += DEFAULT_POLICY.thresholds.stayCalmCooldownMs / 1000; // the next utterance comes after the cooldown
    expect(run([agent('listen you idiot', 'abusive')], state).cues[0]).toMatchObject({
      type: 'stay-calm',
      severity: 'warning',
    });
  });

  it('a calm agent draws no cue', () => {
    expect(run([agent('let me look into that', 'neutral'), agent('hmm', 'venting', 0.3)]).types).toEqual([]);
  });
});

describe('explicit acknowledgements', () => {
  it.each([
    ['limit-set', 'warn'],
    ['warning-given', 'transfer'],
    ['transferred', 'release'],
  ] as const)('%s makes the next abuse a %s', (step, next) => {
    expect(run([ack(step), abuse()]).types).toEqual([next]);
  });

  it('released leaves nothing further to cue, and never lowers the ladder', () => {
    expect(run([ack('released'), abuse()]).types).toEqual([]);
    expect(run([abuse(), abuse(), ack('limit-set'), abuse()]).types).toEqual(['set-limit', 'warn', 'transfer']);
  });
});

describe('after the call', () => {
  it('a call with abuse ends with a break and debrief cue carrying the briefing', () => {
    const { types, cues, state } = run([abuse(), end, abuse()]);
    expect(types).toEqual(['set-limit', 'break-debrief']);
    expect(cues[1]!.briefing?.abusiveCount).toBe(1);
    expect(state.ended).toBe(true);
  });

  it('a call without abuse ends quietly', () => {
    expect(run([customer('this is a joke', 'venting'), end]).types).toEqual(['let-vent']);
  });
});

describe('policy', () => {
  it('rejects a menace band above the threat score', () => {
    const bad = structuredClone(DEFAULT_POLICY);
    bad.thresholds.menaceMinScore = bad.thresholds.threatMinScore + 0.01;
    expect(() => parsePolicy(bad, 'test.json')).toThrow(/menaceMinScore/);
  });

  it('reads a policy file without a repeat abuse score with the first abuse score', () => {
    const { abusiveRepeatMinScore: _, ...thresholds } = DEFAULT_POLICY.thresholds;
    const policy = parsePolicy({ ...DEFAULT_POLICY, thresholds }, 'old.json');
    expect(policy.thresholds.abusiveRepeatMinScore).toBe(DEFAULT_POLICY.thresholds.abusiveMinScore);
  });

  it('reads a policy file without a venting point as reading no neutral line as venting', () => {
    const { ventingMinScore: _, ...thresholds } = DEFAULT_POLICY.thresholds;
    expect(parsePolicy({ ...DEFAULT_POLICY, thresholds }, 'old.json').thresholds.ventingMinScore).toBe(1);
  });

  it('rejects a repeat abuse score above the first abuse score', () => {
    const bad = structuredClone(DEFAULT_POLICY);
    bad.thresholds.abusiveRepeatMinScore = 0.9;
    bad.thresholds.abusiveMinScore = 0.8;
    expect(() => parsePolicy(bad, 'test.json')).toThrow(/abusiveRepeatMinScore \(0\.9\) is above/);
  });

  it('rejects a policy file with a bad value, naming it', () => {
    const bad = structuredClone(DEFAULT_POLICY) as unknown as { thresholds: Record<string, unknown> };
    bad.thresholds.abusiveMinScore = 2;
    expect(() => parsePolicy(bad, 'test.json')).toThrow(/test\.json: thresholds\.abusiveMinScore/);
  });

  it('scripts come from the policy', () => {
    const custom = structuredClone(DEFAULT_POLICY);
    custom.scripts['set-limit'] = 'Keep it civil, please.';
    expect(advance(initialLadderState(), abuse(), custom).cues[0]!.script).toBe('Keep it civil, please.');
  });
});
