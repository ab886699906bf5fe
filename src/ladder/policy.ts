import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { CUE_TYPES } from '../protocol/cue.js';
import { validator } from '../protocol/validator.js';
import defaultPolicyJson from './default-policy.json' with { type: 'json' };

const Score = Type.Number({ minimum: 0, maximum: 1 });
const Count = Type.Integer({ minimum: 1, maximum: 1000 });
/** The de-escalation policy: thresholds and the cue scripts. */
export const Policy = Type.Object(
  {
    thresholds: Type.Object(
      {
        /** A customer utterance labelled abusive counts only at or above this score. */
        abusiveMinScore: Score,
        /**
         * Once the call has had abuse (a limit cued, or set by the agent), a later abusive line counts
         * from this score. A policy file without it uses abusiveMinScore, as files written before it did.
         */
        abusiveRepeatMinScore: Score,
        /** A customer utterance whose threat score reaches this is a clear threat: a safety alert at once. */
        threatMinScore: Score,
        /** Threat scores from here up to threatMinScore are ambiguous menace: ask what the caller means. */
        menaceMinScore: Score,
        /**
         * A customer utterance labelled neutral counts as venting from this venting score: a calm
         * complaint, for the count of venting turns before acknowledging. A policy file without it uses
         * 1, which no neutral line reaches, as files written before it did.
         */
        ventingMinScore: Score,
        /** An agent utterance labelled venting or abusive at or above this score draws a stay-calm cue. */
        agentHeatMinScore: Score,
        /** An agent act (limit, warning, transfer, release, acknowledgement) counts at or above this score. */
        agentActMinScore: Score,
        /** Venting turns in a row after which the caller is taken to be repeating. */
        ventsBeforeAcknowledge: Count,
        /** Word-overlap (Jaccard) with an earlier customer turn that counts as a repeat. */
        repeatSimilarity: Score,
        /** Non-abusive customer turns after a limit before the cue says to go back to solving. */
        calmTurnsToRecover: Count,
        stayCalmCooldownMs: Type.Integer({ minimum: 0 }),
        briefingIncidents: Count,
      },
      { additionalProperties: false },
    ),
    scripts: Type.Object(
      Object.fromEntries(CUE_TYPES.map((t) => [t, Type.String({ minLength: 1, maxLength: 1000 })])),
      {
        additionalProperties: false,
      },
    ),
  },
  { additionalProperties: false },
);
export type Policy = Static<typeof Policy> & { scripts: Record<(typeof CUE_TYPES)[number], string> };

const checkPolicy = validator(Policy);

type ThresholdName = keyof Static<typeof Policy>['thresholds'];

/** Thresholds added after policy files were first written, and what each is where a file leaves it out. */
const LATER_THRESHOLDS: Partial<Record<ThresholdName, { from: ThresholdName } | { value: number }>> = {
  abusiveRepeatMinScore: { from: 'abusiveMinScore' },
  ventingMinScore: { value: 1 },
};

/** Fills each later threshold a policy file leaves out, as the ladder read such files before it. */
function withLaterThresholds(raw: unknown): unknown {
  const thresholds = (raw as { thresholds?: unknown } | null)?.thresholds;
  if (typeof thresholds !== 'object' || thresholds === null) return raw;
  const filled: Record<string, unknown> = { ...thresholds };
  for (const [later, fill] of Object.entries(LATER_THRESHOLDS)) {
    if (later in filled) continue;
    if ('value' in fill) filled[later] = fill.value;
    else if (fill.from in filled) filled[later] = filled[fill.from];
  }
  return { ...(raw as object), thresholds: filled };
}

export function parsePolicy(raw: unknown, source: string): Policy {
  const checked = checkPolicy(withLaterThresholds(raw));
  if (!checked.ok) throw new Error(`invalid ladder policy ${source}: ${checked.message}`);
  const { menaceMinScore, threatMinScore, abusiveRepeatMinScore, abusiveMinScore } = checked.value.thresholds;
  if (menaceMinScore > threatMinScore) {
    throw new Error(
      `invalid ladder policy ${source}: thresholds.menaceMinScore (${menaceMinScore}) is above thresholds.threatMinScore (${threatMinScore})`,
    );
  }
  if (abusiveRepeatMinScore > abusiveMinScore) {
    throw new Error(
      `invalid ladder policy ${source}: thresholds.abusiveRepeatMinScore (${abusiveRepeatMinScore}) is above thresholds.abusiveMinScore (${abusiveMinScore})`,
    );
  }
  return checked.value as Policy;
}

/** Where the built-in policy comes from, for reports that name the policy they ran with. */
export const BUILT_IN_POLICY = 'src/ladder/default-policy.json';
export const DEFAULT_POLICY: Policy = parsePolicy(defaultPolicyJson, BUILT_IN_POLICY);

export function loadPolicy(path: string | undefined): Policy {
  if (path === undefined) return DEFAULT_POLICY;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ladder policy ${path}: ${(err as Error).message}`);
  }
  return parsePolicy(raw, path);
}
