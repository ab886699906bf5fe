import { randomBytes } from 'node:crypto';

/** Names a fresh run of cue numbers: unique per start of a numbering, so a subscriber can tell a restart from a continuation. */
export const newEpoch = (): string => randomBytes(6).toString('base64url');
