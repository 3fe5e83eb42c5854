import { CrossChannelError, quoted } from '../core/errors.js';
import { expectOptions, expectString } from '../core/guards.js';
import type { SegmentErrorCode } from './errors.js';

/**
 * Pattern matching that cannot blow up. Globs and a regex subset compile to one small NFA program, simulated
 * Thompson-style (a set of states advanced one character at a time), so matching costs at most
 * O(pattern × input) whatever the input: there is no backtracking to make catastrophic.
 *
 * Regex subset: literals, `.`, classes `[a-z0-9_]` / `[^…]`, escapes `\d \D \w \W \s \S` and escaped
 * punctuation, groups `( )` / `(?: )`, alternation `|`, quantifiers `* + ? {n} {n,} {n,m}` (n, m ≤ 100; a
 * trailing lazy `?` is accepted and means the same for a yes/no match), anchors `^ $`. Back-references,
 * look-around, `\b` and Unicode property escapes are rejected. Search semantics like `RegExp.test`: the
 * pattern may match anywhere unless anchored.
 *
 * Glob: `*` (any run), `?` (one character), `[abc]`, `[a-z]`, `[!abc]`, `\` escapes; a glob matches the
 * whole string.
 */

/** A compiled pattern: `test(s)` is linear in `s` for a given pattern. */
export interface SafePattern {
  /** The pattern's source, as written. */
  readonly source: string;
  /** True when the pattern matches `input`. */
  test(input: string): boolean;
}

type Ranges = number[]; // flat [lo, hi, lo, hi, …] inclusive code-unit ranges

type Node =
  | { t: 'char'; c: number }
  | { t: 'any' }
  | { t: 'class'; ranges: Ranges; neg: boolean }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number } // max = -1: unbounded
  | { t: 'bol' }
  | { t: 'eol' };

const MAX_REPEAT = 100;
const MAX_PROGRAM = 20_000;

function unsafe(message: string, source: string, index?: number): CrossChannelError<SegmentErrorCode> {
  return new CrossChannelError<SegmentErrorCode>('SEGMENT_PATTERN_UNSAFE', message, { detail: index === undefined ? { source } : { source, index } });
}

const DIGIT: Ranges = [48, 57];
const WORD: Ranges = [48, 57, 65, 90, 95, 95, 97, 122];
// JavaScript's \s: the white space and line terminators of ECMAScript, the Unicode space separators (Zs) included.
const SPACE: Ranges = [9, 13, 32, 32, 160, 160, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff];

function complement(r: Ranges): Ranges {
  const sorted: Array<[number, number]> = [];
  for (let i = 0; i < r.length; i += 2) sorted.push([r[i]!, r[i + 1]!]);
  sorted.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push(next, lo - 1);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push(next, 0xffff);
  return out;
}

/** Recursive-descent parser of the regex subset. */
class RegexParser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i < this.src.length) throw unsafe(`Unexpected ${quoted(this.src[this.i])} in pattern`, this.src, this.i);
    return n;
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.src[this.i] === '|') {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private cat(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') items.push(this.repeat());
    return { t: 'cat', items };
  }

  private repeat(): Node {
    const start = this.i;
    let node = this.atom();
    for (;;) {
      const c = this.src[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, -1];
      else if (c === '+') [min, max] = [1, -1];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT) throw unsafe(`Repetition bounds above ${MAX_REPEAT}`, this.src, this.i);
        if (max !== -1 && max < min) throw unsafe('Repetition {n,m} with m < n', this.src, this.i);
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.src[this.i] === '?') this.i++; // lazy: same yes/no answer
      if (node.t === 'bol' || node.t === 'eol') throw unsafe('Quantifier on an anchor', this.src, start);
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(): Node {
    const c = this.src[this.i]!;
    switch (c) {
      case '(': {
        this.i++;
        if (this.src[this.i] === '?') {
          if (this.src[this.i + 1] !== ':') throw unsafe('Look-around and named groups are not supported', this.src, this.i);
          this.i += 2;
        }
        const inner = this.alt();
        if (this.src[this.i] !== ')') throw unsafe('Unclosed group', this.src, this.i);
        this.i++;
        return inner;
      }
      case '[':
        return this.charClass();
      case '.':
        this.i++;
        return { t: 'any' };
      case '^':
        this.i++;
        return { t: 'bol' };
      case '$':
        this.i++;
        return { t: 'eol' };
      case '\\':
        return this.escape(false) as Node;
      case '*':
      case '+':
      case '?':
      case '{':
        throw unsafe(`Nothing to repeat before ${quoted(c)}`, this.src, this.i);
      case ')':
        throw unsafe('Unmatched ")"', this.src, this.i);
      default:
        this.i++;
        return { t: 'char', c: c.charCodeAt(0) };
    }
  }

  /** Reads `\x`; in a class returns the ranges, outside a node. */
  private escape(inClass: boolean): Node | Ranges {
    const e = this.src[this.i + 1];
    if (e === undefined) throw unsafe('Pattern ends with a lone backslash', this.src, this.i);
    this.i += 2;
    const cls = (ranges: Ranges, neg: boolean): Node | Ranges => (inClass ? (neg ? complement(ranges) : ranges) : { t: 'class', ranges, neg });
    switch (e) {
      case 'd':
        return cls(DIGIT, false);
      case 'D':
        return cls(DIGIT, true);
      case 'w':
        return cls(WORD, false);
      case 'W':
        return cls(WORD, true);
      case 's':
        return cls(SPACE, false);
      case 'S':
        return cls(SPACE, true);
      case 'n':
        return inClass ? [10, 10] : { t: 'char', c: 10 };
      case 't':
        return inClass ? [9, 9] : { t: 'char', c: 9 };
      case 'r':
        return inClass ? [13, 13] : { t: 'char', c: 13 };
      default:
        if (/[A-Za-z0-9]/.test(e)) throw unsafe(`Escape \\${e} is not supported`, this.src, this.i - 2);
        return inClass ? [e.charCodeAt(0), e.charCodeAt(0)] : { t: 'char', c: e.charCodeAt(0) };
    }
  }

  private charClass(): Node {
    this.i++;
    let neg = false;
    if (this.src[this.i] === '^') {
      neg = true;
      this.i++;
    }
    const ranges: Ranges = [];
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      let lo: Ranges;
      if (this.src[this.i] === '\\') lo = this.escape(true) as Ranges;
      else lo = [this.src.charCodeAt(this.i), this.src.charCodeAt(this.i++)];
      if (lo.length === 2 && lo[0] === lo[1] && this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        let hi: Ranges;
        if (this.src[this.i] === '\\') hi = this.escape(true) as Ranges;
        else hi = [this.src.charCodeAt(this.i), this.src.charCodeAt(this.i++)];
        if (hi.length !== 2 || hi[0] !== hi[1]) throw unsafe('A class range must end with a single character', this.src, this.i);
        if (hi[0]! < lo[0]!) throw unsafe('Class range out of order', this.src, this.i);
        ranges.push(lo[0]!, hi[0]!);
      } else ranges.push(...lo);
    }
    if (this.src[this.i] !== ']') throw unsafe('Unclosed character class', this.src, this.i);
    this.i++;
    return { t: 'class', ranges, neg };
  }
}

function globToNode(src: string): Node {
  const items: Node[] = [{ t: 'bol' }];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    // Unlike regex `.`, glob wildcards match line breaks too.
    if (c === '*') items.push({ t: 'rep', node: { t: 'class', ranges: [0, 0xffff], neg: false }, min: 0, max: -1 });
    else if (c === '?') items.push({ t: 'class', ranges: [0, 0xffff], neg: false });
    else if (c === '\\') {
      const e = src[++i];
      if (e === undefined) throw unsafe('Glob ends with a lone backslash', src, i - 1);
      items.push({ t: 'char', c: e.charCodeAt(0) });
    } else if (c === '[') {
      const close = src.indexOf(']', i + 2);
      if (close < 0) throw unsafe('Unclosed [ in glob', src, i);
      let body = src.slice(i + 1, close);
      const neg = body.startsWith('!') || body.startsWith('^');
      if (neg) body = body.slice(1);
      const ranges: Ranges = [];
      for (let j = 0; j < body.length; j++) {
        const lo = body.charCodeAt(j);
        if (body[j + 1] === '-' && j + 2 < body.length) {
          const hi = body.charCodeAt(j + 2);
          if (hi < lo) throw unsafe('Class range out of order', src, i);
          ranges.push(lo, hi);
          j += 2;
        } else ranges.push(lo, lo);
      }
      items.push({ t: 'class', ranges, neg });
      i = close;
    } else items.push({ t: 'char', c: c.charCodeAt(0) });
  }
  items.push({ t: 'eol' });
  return { t: 'cat', items };
}

// Program: parallel typed arrays. op: 0 char(a), 1 any, 2 class(a = class index), 3 split(a, b), 4 jmp(a),
// 5 match, 6 bol, 7 eol.
const CHAR = 0, ANY = 1, CLASS = 2, SPLIT = 3, JMP = 4, MATCH = 5, BOL = 6, EOL = 7;

class Program {
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  classes: Array<{ ranges: Ranges; neg: boolean }> = [];
  emit(op: number, a = 0, b = 0): number {
    if (this.op.length >= MAX_PROGRAM) throw unsafe('Pattern expands to too many states', '');
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }
  gen(n: Node): void {
    switch (n.t) {
      case 'char':
        this.emit(CHAR, n.c);
        return;
      case 'any':
        this.emit(ANY);
        return;
      case 'class':
        this.classes.push({ ranges: n.ranges, neg: n.neg });
        this.emit(CLASS, this.classes.length - 1);
        return;
      case 'bol':
        this.emit(BOL);
        return;
      case 'eol':
        this.emit(EOL);
        return;
      case 'cat':
        for (const x of n.items) this.gen(x);
        return;
      case 'alt': {
        // split L1, next; L1: item0; jmp end; … chained
        const jumps: number[] = [];
        for (let k = 0; k < n.items.length; k++) {
          if (k < n.items.length - 1) {
            const split = this.emit(SPLIT);
            this.a[split] = split + 1;
            this.gen(n.items[k]!);
            jumps.push(this.emit(JMP));
            this.b[split] = this.op.length;
          } else this.gen(n.items[k]!);
        }
        for (const j of jumps) this.a[j] = this.op.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.gen(n.node);
        if (n.max === -1) {
          const split = this.emit(SPLIT);
          this.a[split] = split + 1;
          this.gen(n.node);
          this.emit(JMP, split);
          this.b[split] = this.op.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = this.emit(SPLIT);
            this.a[split] = split + 1;
            splits.push(split);
            this.gen(n.node);
          }
          for (const s of splits) this.b[s] = this.op.length;
        }
        return;
      }
    }
  }
}

function inRanges(ranges: Ranges, c: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (c >= ranges[i]! && c <= ranges[i + 1]!) return true;
  return false;
}

function compileProgram(node: Node, source: string, ignoreCase: boolean): SafePattern {
  const p = new Program();
  try {
    p.gen(node);
  } catch (e) {
    throw unsafe(e instanceof Error ? e.message : 'Pattern too large', source);
  }
  p.emit(MATCH);
  const { op, a, b, classes } = p;
  const size = op.length;
  const op32 = Int32Array.from(op);
  const a32 = Int32Array.from(a);
  const b32 = Int32Array.from(b);
  // Case folding applies to set membership before a class's negation, as in JavaScript's `i` flag
  // (`/[^a]/i` does not match "A").
  const member = (pc: number, c: number): boolean => (op32[pc] === CHAR ? a32[pc] === c : inRanges(classes[a32[pc]!]!.ranges, c));
  const fold = (pc: number, c: number): boolean => {
    const o = op32[pc]!;
    if (o === ANY) return c !== 10 && c !== 13 && c !== 0x2028 && c !== 0x2029;
    let hit = member(pc, c);
    if (!hit && ignoreCase) {
      // Only one-to-one case mappings fold ("ß" upper-cases to "SS" and must not match "S").
      const ch = String.fromCharCode(c);
      const l = ch.toLowerCase();
      const u = ch.toUpperCase();
      const lo = l.length === 1 ? l.charCodeAt(0) : c;
      const up = u.length === 1 ? u.charCodeAt(0) : c;
      hit = (lo !== c && member(pc, lo)) || (up !== c && member(pc, up));
    }
    return o === CLASS ? hit !== classes[a32[pc]!]!.neg : hit;
  };
  const bufA = new Int32Array(size);
  const bufB = new Int32Array(size);
  const mark = new Int32Array(size).fill(-1);
  const stack = new Int32Array(size * 2 + 2);
  let base = 0;
  return {
    source,
    test(input: string): boolean {
      // Two state lists with generation marks: each state is added at most once per position. Buffers are
      // reused across calls (matching is synchronous, so never re-entered); marks are offset per call.
      if (base > 2e9) {
        mark.fill(-1);
        base = 0;
      }
      const gen0 = base;
      const n = input.length;
      base += n + 1;
      let cur = bufA;
      let nxt = bufB;
      let nCur = 0;
      const add = (list: Int32Array, count: number, start: number, pos: number): number => {
        let sp = 0;
        stack[sp++] = start;
        const m = gen0 + pos;
        while (sp > 0) {
          const pc = stack[--sp]!;
          if (mark[pc] === m) continue;
          mark[pc] = m;
          const o = op32[pc]!;
          if (o === JMP) stack[sp++] = a32[pc]!;
          else if (o === SPLIT) {
            stack[sp++] = b32[pc]!;
            stack[sp++] = a32[pc]!;
          } else if (o === BOL) {
            if (pos === 0) stack[sp++] = pc + 1;
          } else if (o === EOL) {
            if (pos === n) stack[sp++] = pc + 1;
          } else list[count++] = pc;
        }
        return count;
      };
      for (let pos = 0; pos <= n; pos++) {
        nCur = add(cur, nCur, 0, pos); // unanchored search: a thread may start at every position
        for (let k = 0; k < nCur; k++) if (op32[cur[k]!] === MATCH) return true;
        if (pos === n) break;
        const c = input.charCodeAt(pos);
        let nNext = 0;
        for (let k = 0; k < nCur; k++) {
          const pc = cur[k]!;
          if (op32[pc] !== MATCH && fold(pc, c)) nNext = add(nxt, nNext, pc + 1, pos + 1);
        }
        const t = cur;
        cur = nxt;
        nxt = t;
        nCur = nNext;
      }
      return false;
    },
  };
}

/**
 * Compiles a regex of the safe subset (see the module notes). Throws `SEGMENT_PATTERN_UNSAFE` for anything
 * outside it or longer than 256 characters.
 *
 * @example
 * ```ts
 * compileSafeRegex('^(gold|platinum)-\\d{2,4}$').test('gold-2026'); // true
 * compileSafeRegex('(a+)+$').test('a'.repeat(100_000) + '!'); // false, in linear time
 * ```
 */
export function compileSafeRegex(source: string, options: { ignoreCase?: boolean } = {}): SafePattern {
  expectString(source, ['source']);
  expectOptions(options, ['options']);
  if (source.length > 256) throw unsafe('Pattern longer than 256 characters', source);
  return compileProgram(new RegexParser(source).parse(), source, options.ignoreCase === true);
}

/**
 * Compiles a glob (`*`, `?`, `[a-z]`, `[!x]`, `\` escapes) matching the whole string.
 *
 * @example
 * ```ts
 * compileGlob('*@example.com').test('ana@example.com'); // true
 * ```
 */
export function compileGlob(source: string, options: { ignoreCase?: boolean } = {}): SafePattern {
  expectString(source, ['source']);
  expectOptions(options, ['options']);
  if (source.length > 256) throw unsafe('Glob longer than 256 characters', source);
  return compileProgram(globToNode(source), source, options.ignoreCase === true);
}
