/** A mono Deepgram final: every mono session says channel 0 and times from its own start. */
export const monoFinal = (transcript: string) => ({
  type: 'Results',
  channel_index: [0, 1],
  start: 1.5,
  duration: 2,
  is_final: true,
  speech_final: true,
  channel: { alternatives: [{ transcript, words: [] }] },
});
