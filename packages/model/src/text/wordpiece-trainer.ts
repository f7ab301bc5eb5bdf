import { InvalidArgumentError } from '../errors.js';
import { preTokenize } from './pre-tokenize.js';
import { CONTINUATION_PREFIX, SPECIAL_TOKENS } from './special-tokens.js';
import type { WordPieceTraining } from './wordpiece-json.js';
import { WordPieceTokenizer } from './wordpiece-tokenizer.js';

/** Options of {@link trainWordPiece}. */
export interface WordPieceTrainerOptions {
  /** Upper bound on the vocabulary, special tokens included. Default 2,000; range 6–1,000,000. */
  readonly vocabSize?: number;
  /**
   * Minimum number of occurrences (over the corpus) of a character for it to enter the alphabet, and of
   * an adjacent pair for it to be merged. Default 2; range ≥ 1. Characters rarer than this become `[UNK]`.
   */
  readonly minFrequency?: number;
  /**
   * Merge rule. Default `'frequency'` (BPE-style, as common WordPiece trainers do): merge the most
   * frequent adjacent pair. `'likelihood'` (the original WordPiece rule): merge the pair maximising
   * `count(ab) / (count(a) · count(b))`, the merge that most raises the corpus likelihood under a unigram
   * model of the pieces. On PTB-XL's reports the frequency rule spells every repeated word as one token
   * (about 21 tokens per report); the likelihood rule spends merges on rare character pairs first and
   * leaves common inflections split (`normal ##e ##s`, about 25 tokens per report at 2,000 pieces).
   */
  readonly scoring?: 'likelihood' | 'frequency';
  /** Words longer than this are not learned from and encode as `[UNK]`. Default 100; range ≥ 1. */
  readonly maxInputCharsPerWord?: number;
}

// Pair keys pack two symbol ids into one number: ids stay below 2^21 (vocabSize ≤ 1,000,000).
const PAIR_SHIFT = 2 ** 21;

interface Candidate {
  readonly key: number;
  readonly a: number;
  readonly b: number;
  readonly score: number;
  readonly count: number;
}

/**
 * Learns a WordPiece vocabulary from a corpus of reports and returns the tokenizer. Words (see
 * `preTokenize`) start as characters, the first plain and the rest as `##` continuation pieces; the
 * trainer then repeatedly merges the best adjacent pair (see `scoring`) until the vocabulary is full or
 * no pair occurs `minFrequency` times. Ties are broken by higher pair count, then by the first and second
 * piece in UTF-16 code-unit order, so the same multiset of reports gives the same vocabulary, byte for
 * byte, whatever its order. Vocabulary order: special tokens, alphabet (sorted), merges in merge order.
 */
export function trainWordPiece(
  corpus: Iterable<string>,
  options: WordPieceTrainerOptions = {},
): WordPieceTokenizer {
  const vocabSize = options.vocabSize ?? 2000;
  const minFrequency = options.minFrequency ?? 2;
  const scoring = options.scoring ?? 'frequency';
  const maxChars = options.maxInputCharsPerWord ?? 100;
  if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length || vocabSize > 1_000_000)
    throw new InvalidArgumentError(
      'vocabSize',
      vocabSize,
      `must be an integer in [${SPECIAL_TOKENS.length + 1}, 1000000]`,
    );
  if (!Number.isInteger(minFrequency) || minFrequency < 1)
    throw new InvalidArgumentError('minFrequency', minFrequency, 'must be an integer ≥ 1');
  if (scoring !== 'likelihood' && scoring !== 'frequency')
    throw new InvalidArgumentError('scoring', scoring, 'must be "likelihood" or "frequency"');
  if (!Number.isInteger(maxChars) || maxChars < 1)
    throw new InvalidArgumentError('maxInputCharsPerWord', maxChars, 'must be an integer ≥ 1');

  const wordCounts = new Map<string, number>();
  let totalWords = 0;
  for (const text of corpus) {
    for (const word of preTokenize(text)) {
      if (word.length > maxChars) continue;
      wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
      totalWords++;
    }
  }
  // Sorting makes every later step independent of the corpus order.
  const words = [...wordCounts.keys()].sort(compareCodeUnits);
  const freq = words.map((w) => wordCounts.get(w)!);
  const charsOf = words.map((w) => Array.from(w).map((c, i) => (i === 0 ? c : CONTINUATION_PREFIX + c)));

  const tokens: string[] = [...SPECIAL_TOKENS, ...chooseAlphabet(charsOf, freq, minFrequency, vocabSize)];
  const idOf = new Map(tokens.map((t, i) => [t, i]));
  // -1 marks a character outside the alphabet: it never pairs, so words merge around it.
  const symbols: number[][] = charsOf.map((chars) => chars.map((c) => idOf.get(c) ?? -1));
  const unitCount: number[] = tokens.map(() => 0);
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const account = (w: number, sign: 1 | -1): void => {
    const s = symbols[w]!;
    const f = freq[w]! * sign;
    for (let i = 0; i < s.length; i++) {
      if (s[i]! >= 0) unitCount[s[i]!]! += f;
      if (i + 1 >= s.length || s[i]! < 0 || s[i + 1]! < 0) continue;
      const key = s[i]! * PAIR_SHIFT + s[i + 1]!;
      const next = (pairCount.get(key) ?? 0) + f;
      if (next === 0) pairCount.delete(key);
      else pairCount.set(key, next);
      if (sign > 0) {
        const set = pairWords.get(key);
        if (set) set.add(w);
        else pairWords.set(key, new Set([w]));
      }
    }
  };
  for (let w = 0; w < words.length; w++) account(w, 1);

  while (tokens.length < vocabSize) {
    const best = bestPair(pairCount, unitCount, tokens, minFrequency, scoring);
    if (!best) break;
    const merged = tokens[best.a]! + stripPrefix(tokens[best.b]!);
    let id = idOf.get(merged);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(merged);
      idOf.set(merged, id);
      unitCount.push(0);
    }
    // Sorted so counts update in the same order on every run.
    for (const w of [...(pairWords.get(best.key) ?? [])].sort((x, y) => x - y)) {
      const s = symbols[w]!;
      const replaced = mergePair(s, best.a, best.b, id);
      if (replaced === s) continue;
      account(w, -1);
      symbols[w] = replaced;
      account(w, 1);
    }
    pairWords.delete(best.key);
    pairCount.delete(best.key);
  }
  const training: WordPieceTraining = {
    vocabSize,
    minFrequency,
    scoring,
    distinctWords: words.length,
    totalWords,
  };
  return new WordPieceTokenizer(tokens, { maxInputCharsPerWord: maxChars, training });
}

/** Code-unit order: locale-independent, so the vocabulary does not depend on the machine's locale. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stripPrefix(token: string): string {
  return token.startsWith(CONTINUATION_PREFIX) ? token.slice(CONTINUATION_PREFIX.length) : token;
}

// Characters (first-of-word and `##` forms counted apart) seen at least minFrequency times; when they
// alone would overflow the vocabulary, the most frequent win. Returned sorted.
function chooseAlphabet(
  charsOf: string[][],
  freq: number[],
  minFrequency: number,
  vocabSize: number,
): string[] {
  const counts = new Map<string, number>();
  charsOf.forEach((chars, w) => {
    for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + freq[w]!);
  });
  let alphabet = [...counts].filter(([, n]) => n >= minFrequency);
  const room = vocabSize - SPECIAL_TOKENS.length;
  if (alphabet.length > room)
    alphabet = alphabet.sort((x, y) => y[1] - x[1] || compareCodeUnits(x[0], y[0])).slice(0, room);
  return alphabet.map(([c]) => c).sort(compareCodeUnits);
}

function bestPair(
  pairCount: ReadonlyMap<number, number>,
  unitCount: readonly number[],
  tokens: readonly string[],
  minFrequency: number,
  scoring: 'likelihood' | 'frequency',
): Candidate | undefined {
  let best: Candidate | undefined;
  for (const [key, count] of pairCount) {
    if (count < minFrequency) continue;
    const a = Math.floor(key / PAIR_SHIFT);
    const b = key - a * PAIR_SHIFT;
    // Both counts are < 2^26 in practice, so the product is exact and equal ratios give equal doubles.
    const score = scoring === 'likelihood' ? count / (unitCount[a]! * unitCount[b]!) : count;
    if (
      !best ||
      score > best.score ||
      (score === best.score &&
        (count > best.count ||
          (count === best.count &&
            (tokens[a]! < tokens[best.a]! ||
              (tokens[a] === tokens[best.a] && tokens[b]! < tokens[best.b]!)))))
    )
      best = { key, a, b, score, count };
  }
  return best;
}

// Left-to-right, non-overlapping replacement of (a, b) by `id`; returns the input when nothing changed.
function mergePair(s: number[], a: number, b: number, id: number): number[] {
  let out: number[] | undefined;
  for (let i = 0; i < s.length; i++) {
    if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
      out ??= s.slice(0, i);
      out.push(id);
      i++;
    } else if (out) out.push(s[i]!);
  }
  return out ?? s;
}
