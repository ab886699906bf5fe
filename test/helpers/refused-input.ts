import { expect } from 'vitest';

/** A final customer chunk of `callId` with placeholder content, `fields` set over it: input a test means to be refused. */
export const chunkWith = (callId: string, fields: Record<string, unknown> = {}) => ({
  callId,
  segmentId: 's',
  seq: 1,
  speaker: 'customer',
  isFinal: true,
  text: 'hi',
  startMs: 0,
  endMs: 1,
  ...fields,
});

/** The error answering a message that fails validation, its message naming `field`. */
export const invalidMessage = (field: string) => ({
  type: 'error',
  code: 'invalid_message',
  message: expect.stringContaining(field),
});
