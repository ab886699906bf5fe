import { randomBytes } from 'node:crypto';

/** Names a fresh run of cue numbers: unique per start of a numbering, so a subscriber can tell a restart from a continuation. */
export const newEpoch = (): string => randomBytes(6).toString('base64url');

/** Whether the epoch a client named (none: whichever) is the call's current one. */
export const epochMatches = (named: string | undefined, current: string): boolean =>
  named === undefined || named === current;
