import type { AckStep } from '../../protocol/common.js';
import type { CueType, LadderStep } from '../../protocol/cue.js';

/** The ladder in display order: the solving side, the limit side, then safety, which stands apart. */
export const STEP_NAMES: Record<LadderStep, string> = {
  listen: 'Listen',
  acknowledge: 'Acknowledge',
  solve: 'Solve',
  limit: 'Limit',
  warning: 'Warning',
  transfer: 'Transfer',
  release: 'Release',
  safety: 'Safety',
};

export const CUE_TITLES: Record<CueType, string> = {
  'let-vent': 'Let them vent',
  acknowledge: 'Acknowledge, then steer to the fix',
  'set-limit': 'Set a limit',
  warn: 'Give the warning',
  transfer: 'Warm transfer to your supervisor',
  release: 'Release the call',
  'ask-meaning': 'Ask what they mean',
  'safety-alert': 'Safety first',
  'back-to-solving': 'Back to solving',
  'stay-calm': 'Stay calm',
  'break-debrief': 'Take a break',
};

/** The acknowledge buttons, in ladder order. */
export const ACK_LABELS: Record<AckStep, string> = {
  'limit-set': 'Limit set',
  'warning-given': 'Warning given',
  transferred: 'Transferred',
  released: 'Released',
};

/** The button that confirms what a cue asked for. */
export const ACK_FOR_CUE: Partial<Record<CueType, AckStep>> = {
  'set-limit': 'limit-set',
  warn: 'warning-given',
  transfer: 'transferred',
  release: 'released',
};
