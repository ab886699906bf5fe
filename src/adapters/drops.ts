import type { DropReason } from './call-state.js';

/** What a dropped-message notice tells the producer, by reason. */
export const DROP_EXPLANATIONS: Readonly<Record<DropReason, string>> = {
  closed_segment:
    'a result for a segment that is already final (a late partial, or an id repeated) gave no transcript; further ones are only counted',
  duplicate: 'a result the call already had gave no transcript; further ones are only counted',
  retried_webhook:
    'a webhook at or below a SequenceId already seen (a retry or a late delivery) gave no transcript; further ones are only counted',
};
