// "Did you mean": the words within a few typos of what was typed, by optimal string alignment distance
// (Levenshtein plus swapped neighbours, so `statsu` is one step from `status`).

export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

// A third of the word may be wrong, at least one letter: `logn` finds `login`, `x` finds nothing long.
const allowedTypos = (word: string) => Math.max(1, Math.floor(word.length / 3));

// The candidates nearest to `word` (all of them when tied), or none when every one is too far.
export function closest(word: string, candidates: readonly string[]): string[] {
  const typed = word.toLowerCase();
  let best = allowedTypos(typed);
  let found: string[] = [];
  for (const candidate of new Set(candidates)) {
    // The length alone already says too far: 50,000 profile names cost no alignment each.
    if (Math.abs(candidate.length - typed.length) > best) continue;
    const distance = editDistance(typed, candidate.toLowerCase());
    if (distance < best) [best, found] = [distance, [candidate]];
    else if (distance === best) found.push(candidate);
  }
  return found;
}

// `login`, `login or logout`, `env login, env logout or status`.
export function oneOf(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? ``) : `${words.slice(0, -1).join(`, `)} or ${words.at(-1)}`;
}
