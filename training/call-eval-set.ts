import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AgentAct, Label } from '../src/protocol/verdict.js';

export const EVAL_CALLS_DIR = join('training', 'eval-calls', 'calls');
const BLIND_SET_FOLDER = /^eval-calls-v(\d+)$/;

/**
 * Every blind call set, oldest first: each later one was written when the earlier ones had chosen
 * between models (their READMEs say when), v5 at twice the size. Read from the folders, so that a new
 * set is kept out of training (prepare.ts) without a list to update.
 */
export function blindCallSetDirs(): string[] {
  const versions = readdirSync('training')
    .map((name) => BLIND_SET_FOLDER.exec(name)?.[1])
    .filter((version) => version !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return [EVAL_CALLS_DIR, ...versions.map((version) => join('training', `eval-calls-v${version}`, 'calls'))];
}
/** The calls the ladder's thresholds are chosen on. */
export const DEV_CALLS_DIR = join('training', 'dev-calls', 'calls');

const CueName = Type.String({ pattern: '^[a-z]+(-[a-z]+)*$' });

const CustomerTurn = Type.Object(
  {
    speaker: Type.Literal('customer'),
    text: Type.String({ minLength: 1 }),
    /** One label, or the labels a supervisor would accept for a genuinely ambiguous line (the first is the usual reading). */
    label: Type.Union([Label, Type.Array(Label, { minItems: 1 })]),
  },
  { additionalProperties: false },
);

const AgentTurn = Type.Object(
  {
    speaker: Type.Literal('agent'),
    text: Type.String({ minLength: 1 }),
    label: Label,
    act: Type.Optional(AgentAct),
  },
  { additionalProperties: false },
);

/** One scripted call of the blind call-level set (training/eval-calls/README.md). */
export const EvalCall = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9-]+$' }),
    category: Type.String({ minLength: 1 }),
    description: Type.String(),
    mustCues: Type.Array(CueName),
    mustNotCues: Type.Array(CueName),
    safetyAlert: Type.Boolean(),
    /** Index in `turns` of the line the safety alert must point at (threat calls only). */
    alertLine: Type.Optional(Type.Integer({ minimum: 0 })),
    turns: Type.Array(Type.Union([CustomerTurn, AgentTurn]), { minItems: 2 }),
  },
  { additionalProperties: false },
);
export type EvalCall = Static<typeof EvalCall>;
export type EvalTurn = EvalCall['turns'][number];

/** The labels a turn may be given and still count as read right. */
export const acceptableLabels = (turn: EvalTurn): readonly Label[] =>
  Array.isArray(turn.label) ? turn.label : [turn.label];

/** Checks what the schema cannot: the alert line is a customer line of a threat call, and no cue is both required and forbidden. */
export function checkEvalCall(call: EvalCall): EvalCall {
  const fail = (why: string): never => {
    throw new Error(`eval call ${call.id}: ${why}`);
  };
  if (call.safetyAlert !== (call.alertLine !== undefined))
    fail('alertLine is required exactly when safetyAlert is true');
  if (call.alertLine !== undefined && call.turns[call.alertLine]?.speaker !== 'customer')
    fail(`alertLine ${call.alertLine} is not a customer line`);
  const both = call.mustCues.filter((cue) => call.mustNotCues.includes(cue));
  if (both.length > 0) fail(`cues both required and forbidden: ${both.join(', ')}`);
  return call;
}

export function loadEvalCalls(dir: string = EVAL_CALLS_DIR): EvalCall[] {
  const calls = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const raw: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const error = Value.Errors(EvalCall, raw).First();
      if (error) throw new Error(`${file}: ${error.path || '/'} ${error.message}`);
      const call = raw as EvalCall;
      if (`${call.id}.json` !== file) throw new Error(`${file}: id ${call.id} does not match the file name`);
      return checkEvalCall(call);
    });
  if (calls.length === 0) throw new Error(`no eval calls in ${dir}`);
  return calls;
}
