/** A text's words of three letters or more, lower-cased. */
export const wordSet = (text: string): Set<string> =>
  new Set(
    text
      .toLowerCase()
      .replaceAll('’', "'")
      .match(/[a-z0-9']{3,}/g) ?? [],
  );

/** Jaccard overlap of two word sets (0..1). */
export function setOverlap(wa: ReadonlySet<string>, wb: ReadonlySet<string>): number {
  if (wa.size === 0 || wb.size === 0) return 0;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared += 1;
  return shared / (wa.size + wb.size - shared);
}

/** Jaccard overlap of the two texts' words of three letters or more (0..1). */
export const wordOverlap = (a: string, b: string): number => setOverlap(wordSet(a), wordSet(b));
