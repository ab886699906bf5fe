/** Resolves at `at` on the performance.now() clock (at once if that has passed). */
export const sleepUntil = (at: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
