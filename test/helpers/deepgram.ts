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

/** A mono diarized Deepgram result of one word a speaker turn, the speakers taking turns (0, 1, 0, …). */
export const speakerTurns = (words: readonly string[], isFinal = true) => ({
  ...monoFinal(words.join(' ')),
  is_final: isFinal,
  speech_final: isFinal,
  channel: {
    alternatives: [
      {
        transcript: words.join(' '),
        words: words.map((word, i) => ({ word, start: 1.5 + i * 0.2, end: 1.6 + i * 0.2, speaker: i % 2 })),
      },
    ],
  },
});
