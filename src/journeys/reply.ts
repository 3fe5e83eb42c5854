/**
 * Two-way messaging: reads a free-text reply ("oui Paul", "YES PAUL", "yse paul") against the expected
 * keywords and names — case- and accent-insensitive, one typo tolerated where the match stays unambiguous.
 */
import { inputError } from '../core/errors.js';

/**
 * Lowercase, accents removed, punctuation as spaces, split into words.
 *
 * @example
 * ```ts
 * replyWords('Oui, Noé !'); // ['oui', 'noe']
 * ```
 */
export function replyWords(text: string): string[] {
  if (typeof text !== 'string') throw inputError('A reply must be a string', ['text']);
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((w) => w.length > 0);
}

/** Optimal-string-alignment distance (Levenshtein + adjacent transposition), stopping early beyond `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** Typos tolerated for a word of this length: none below 3 letters, one up to 6, two from 7. */
function tolerance(len: number): number {
  return len < 3 ? 0 : len < 7 ? 1 : 2;
}

/**
 * What a reply says.
 *
 * @example
 * ```ts
 * const m: ReplyMatch = { kind: 'choice', choice: 'yes', name: 'Paul', typos: 0 };
 * ```
 */
export type ReplyMatch =
  | { readonly kind: 'choice'; readonly choice: string; readonly name?: string; readonly typos: number }
  | { readonly kind: 'stop' }
  | { readonly kind: 'unrecognised'; readonly why: 'no_keyword' | 'ambiguous_keyword' | 'no_name' | 'ambiguous_name' | 'empty' };

/**
 * What `matchReply` compares a reply with.
 *
 * @example
 * ```ts
 * const e: ExpectedReply = { choices: [{ id: 'yes', keywords: ['yes', 'oui'] }, { id: 'no', keywords: ['no', 'non'] }], names: ['Paul', 'Léa'] };
 * ```
 */
export interface ExpectedReply {
  readonly choices: ReadonlyArray<{ readonly id: string; readonly keywords: ReadonlyArray<string> }>;
  /** Names a reply must carry (one of them); none = names not required. */
  readonly names?: ReadonlyArray<string> | undefined;
  readonly stopKeywords?: ReadonlyArray<string> | undefined;
}

interface Candidate {
  readonly word: string;
  readonly id: string;
  readonly isName: boolean;
}

/**
 * Reads a reply: STOP words opt out (exact words only: an opt-out must never be guessed); otherwise exactly one
 * choice keyword must be present (exact first; else within the typo tolerance and closer to one candidate
 * than to any other), and when names are expected exactly one of them (or the person has only one).
 *
 * @example
 * ```ts
 * const expected = { choices: [{ id: 'yes', keywords: ['yes', 'oui'] }, { id: 'no', keywords: ['no', 'non'] }], names: ['Paul', 'Léa'] };
 * matchReply('Oui pour LEA', expected); // { kind: 'choice', choice: 'yes', name: 'Léa', typos: 0 }
 * matchReply('yse paull', expected); // { kind: 'choice', choice: 'yes', name: 'Paul', typos: 2 }
 * matchReply('STOP', expected); // { kind: 'stop' }
 * ```
 */
export function matchReply(text: string, expected: ExpectedReply): ReplyMatch {
  checkExpected(expected);
  const words = replyWords(text);
  if (words.length === 0) return { kind: 'unrecognised', why: 'empty' };
  const stops = new Set((expected.stopKeywords ?? []).flatMap(replyWords));
  if (words.some((w) => stops.has(w))) return { kind: 'stop' };
  const candidates: Candidate[] = [];
  for (const c of expected.choices) for (const k of c.keywords) for (const w of replyWords(k)) candidates.push({ word: w, id: c.id, isName: false });
  const names = expected.names ?? [];
  for (const n of names) {
    const w = replyWords(n).join('');
    if (w.length > 0) candidates.push({ word: w, id: n, isName: true });
  }
  const choices = new Map<string, number>();
  const named = new Map<string, number>();
  for (const w of words) {
    const hit = bestCandidate(w, candidates);
    if (hit === null) continue;
    const into = hit.candidate.isName ? named : choices;
    const had = into.get(hit.candidate.id);
    if (had === undefined || hit.distance < had) into.set(hit.candidate.id, hit.distance);
  }
  if (choices.size === 0) return { kind: 'unrecognised', why: 'no_keyword' };
  if (choices.size > 1) return { kind: 'unrecognised', why: 'ambiguous_keyword' };
  const [choice, typos] = [...choices][0]!;
  if (names.length === 0) return { kind: 'choice', choice, typos };
  if (named.size > 1) return { kind: 'unrecognised', why: 'ambiguous_name' };
  if (named.size === 1) {
    const [name, d] = [...named][0]!;
    return { kind: 'choice', choice, name, typos: typos + d };
  }
  if (names.length === 1) return { kind: 'choice', choice, name: names[0]!, typos };
  return { kind: 'unrecognised', why: 'no_name' };
}

function checkExpected(e: unknown): asserts e is ExpectedReply {
  const bad = (path: Array<string | number>) => inputError('expected must be { choices: [{ id, keywords: string[] }], names?: string[], stopKeywords?: string[] }', ['expected', ...path]);
  if (typeof e !== 'object' || e === null) throw bad([]);
  const x = e as Record<string, unknown>;
  if (!Array.isArray(x.choices)) throw bad(['choices']);
  // Spread, not forEach / every: those skip the holes of a sparse array, which for…of later reads as undefined.
  [...x.choices].forEach((c: unknown, i) => {
    const cc = c as Record<string, unknown> | null;
    if (typeof cc !== 'object' || cc === null || typeof cc.id !== 'string' || !Array.isArray(cc.keywords) || ![...cc.keywords].every((k) => typeof k === 'string')) throw bad(['choices', i]);
  });
  for (const f of ['names', 'stopKeywords'] as const) {
    const v = x[f];
    if (v !== undefined && (!Array.isArray(v) || ![...v].every((k) => typeof k === 'string'))) throw bad([f]);
  }
}

/** The candidate a word means: an exact match, or the single closest one within tolerance (ties = no match). */
function bestCandidate(word: string, candidates: ReadonlyArray<Candidate>): { candidate: Candidate; distance: number } | null {
  for (const c of candidates) if (c.word === word) return { candidate: c, distance: 0 };
  let best: Candidate | null = null;
  let bestD = Infinity;
  let tie = false;
  for (const c of candidates) {
    const max = Math.min(tolerance(c.word.length), tolerance(word.length));
    if (max === 0) continue;
    const d = editDistance(word, c.word, max);
    if (d > max) continue;
    if (d < bestD) {
      best = c;
      bestD = d;
      tie = false;
    } else if (d === bestD && (c.id !== best!.id || c.isName !== best!.isName)) tie = true;
  }
  return best === null || tie ? null : { candidate: best, distance: bestD };
}
