/** Waits until `condition` holds, checking every 10 ms, for at most `limitMs`; the caller asserts what it needs. */
export async function until(condition: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
