import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCallReport } from '../../training/call-eval-report.js';
import { lineLabels, reasons, scoreCall, summarise, type ObservedCall } from '../../training/call-eval-score.js';
import {
  blindCallSetDirs,
  checkEvalCall,
  DEV_CALLS_DIR,
  loadEvalCalls,
  type EvalCall,
} from '../../training/call-eval-set.js';
import { callChunks } from '../../training/call-eval-stream.js';

const venting: EvalCall = {
  id: 'venting',
  category: 'venting-repeats',
  description: 'a venting caller',
  mustCues: ['acknowledge'],
  mustNotCues: ['set-limit', 'safety-alert'],
  safetyAlert: false,
  turns: [
    { speaker: 'agent', text: 'hello how can i help', label: 'neutral', act: 'other' },
    { speaker: 'customer', text: 'my bill is wrong again', label: 'venting' },
    { speaker: 'customer', text: 'i will take it to the ombudsman', label: ['venting', 'neutral'] },
  ],
};

const threat: EvalCall = {
  id: 'threat',
  category: 'threat-after-venting',
  description: 'venting, then a threat on line 2',
  mustCues: ['safety-alert'],
  mustNotCues: ['set-limit'],
  safetyAlert: true,
  alertLine: 2,
  turns: [
    { speaker: 'customer', text: 'this company is a joke', label: 'venting' },
    { speaker: 'agent', text: 'i understand', label: 'neutral', act: 'acknowledge' },
    { speaker: 'customer', text: 'i will be waiting outside your office', label: 'threat' },
  ],
};

const observe = (cues: ObservedCall['cues'], labels: ObservedCall['lines'] = []): ObservedCall => ({
  cues,
  lines: labels,
});

describe('scoreCall', () => {
  it('counts a call right when every required cue came, no forbidden one did, and there was no alert to raise', () => {
    const score = scoreCall(
      venting,
      observe([
        { type: 'let-vent', evidenceLine: 1 },
        { type: 'acknowledge', evidenceLine: 2 },
      ]),
    );
    expect(score).toMatchObject({ right: true, missingCues: [], unwantedCues: [], alert: 'right' });
    expect(reasons(score)).toEqual([]);
  });

  it('names the missing and the unwanted cues', () => {
    const score = scoreCall(venting, observe([{ type: 'set-limit', evidenceLine: 2 }]));
    expect(score).toMatchObject({ right: false, missingCues: ['acknowledge'], unwantedCues: ['set-limit'] });
    expect(reasons(score)).toEqual(['missing acknowledge', 'unwanted set-limit']);
  });

  it('tells a false alert on a non-threat call by its line', () => {
    const score = scoreCall(
      venting,
      observe([
        { type: 'acknowledge', evidenceLine: 1 },
        { type: 'safety-alert', evidenceLine: 2 },
      ]),
    );
    expect(score).toMatchObject({ right: false, alert: 'false-alert', alertedLine: 2 });
    expect(reasons(score)).toEqual(['false safety alert (line 2)']);
  });

  it('tells a missed threat from an alert on the wrong line', () => {
    expect(scoreCall(threat, observe([])).alert).toBe('missed');
    const early = scoreCall(threat, observe([{ type: 'safety-alert', evidenceLine: 0 }]));
    expect(early).toMatchObject({ right: false, alert: 'wrong-line', alertedLine: 0 });
    expect(reasons(early)).toEqual(['safety alert on line 0']);
    expect(
      scoreCall(threat, observe([{ type: 'safety-alert', evidenceLine: 2 }, { type: 'break-debrief' }])).right,
    ).toBe(true);
  });
});

describe('lineLabels', () => {
  it('accepts any listed label of an ambiguous line and counts lines that came back unlabelled', () => {
    const lines = lineLabels(
      [venting],
      [observe([], [{ label: 'neutral' }, { label: 'abusive' }, { label: 'neutral' }])],
      'customer',
    );
    expect(lines).toEqual({ truth: ['venting', 'neutral'], predicted: ['abusive', 'neutral'], unanswered: 0 });
    expect(lineLabels([venting], [observe([], [{ label: 'neutral' }])], 'customer').unanswered).toBe(2);
  });
});

describe('summarise', () => {
  const calls = [venting, threat];
  const observed = [
    observe(
      [{ type: 'safety-alert', evidenceLine: 1 }],
      [{ label: 'neutral', act: 'other' }, { label: 'threat' }, { label: 'venting' }],
    ),
    observe(
      [{ type: 'safety-alert', evidenceLine: 0 }],
      [{ label: 'threat' }, { label: 'neutral' }, { label: 'threat' }],
    ),
  ];
  const summary = summarise(
    calls,
    observed,
    calls.map((call, i) => scoreCall(call, observed[i]!)),
  );

  it('reports calls right, false alerts per 100 non-threat calls, missed threats and wrong-line alerts', () => {
    expect(summary).toMatchObject({
      calls: 2,
      right: 0,
      threatCalls: 1,
      nonThreatCalls: 1,
      falseAlerts: 1,
      falseAlertsPer100: 100,
      threatsMissed: 0,
      wrongLineAlerts: 1,
    });
    expect(summary.categories.map((row) => [row.category, row.calls, row.falseAlerts, row.wrongLine])).toEqual([
      ['threat-after-venting', 1, 0, 1],
      ['venting-repeats', 1, 1, 0],
    ]);
    expect(summary.wrong.map((call) => call.id)).toEqual(['venting', 'threat']);
  });

  it('builds the customer confusion matrix, and the act matrix only from the acts the service reported', () => {
    expect(summary.customerLines.total).toBe(4);
    expect(summary.customerLines.confusion[1]).toEqual([0, 1, 0, 2]); // two venting lines read as threat; the ambiguous line's venting counts as right
    expect(summary.agentActs?.total).toBe(1);
    expect(summary.agentActs?.unanswered).toBe(1);
  });

  it('renders every section, with the calls that went wrong', () => {
    const report = formatCallReport(summary, {
      model: 'models/x',
      policy: 'policy.json',
      undeclaredCues: ['ask-meaning'],
    });
    for (const part of [
      'model `models/x`, policy `policy.json`',
      'calls right',
      'false safety alerts per 100',
      'By category',
      'Customer lines',
      'Agent acts',
      'ask-meaning',
      'safety alert on line 0',
    ]) {
      expect(report).toContain(part);
    }
  });
});

describe('callChunks', () => {
  it('sends growing partials before each final, both speakers, with increasing seq and call times', () => {
    const chunks = callChunks(threat, 'c1');
    const finals = chunks.filter((chunk) => chunk.isFinal);
    expect(finals.map((chunk) => [chunk.speaker, chunk.text])).toEqual(
      threat.turns.map((turn) => [turn.speaker, turn.text]),
    );
    expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_, i) => i));
    chunks.forEach((chunk, i) => {
      const next = chunks[i + 1];
      if (!chunk.isFinal) {
        expect(next?.segmentId).toBe(chunk.segmentId);
        expect(next!.text.startsWith(chunk.text)).toBe(true);
      }
      if (next && next.segmentId !== chunk.segmentId) expect(next.startMs).toBeGreaterThan(chunk.endMs);
    });
    expect(chunks.some((chunk) => !chunk.isFinal)).toBe(true);
  });
});

describe('the call set', () => {
  it('refuses an alert line on a non-threat call or on an agent line', () => {
    expect(() => checkEvalCall({ ...venting, alertLine: 1 })).toThrow(/alertLine/);
    expect(() => checkEvalCall({ ...threat, alertLine: 1 })).toThrow(/not a customer line/);
  });

  it.each([...blindCallSetDirs(), DEV_CALLS_DIR, join('training', 'corpus-calls', 'calls')])(
    'loads every scripted call in %s',
    (dir) => {
      const calls = loadEvalCalls(dir);
      expect(calls.length).toBeGreaterThanOrEqual(80);
      for (const call of calls)
        expect(
          call.turns.some((turn) => turn.speaker === 'agent') && call.turns.some((turn) => turn.speaker === 'customer'),
        ).toBe(true);
    },
  );
});
