/**
 * Probabilistic record linkage (Fellegi–Sunter) for records without a shared identifier: per-field comparison
 * levels, m/u probabilities (given, or estimated by EM), blocking so that only candidate pairs are compared,
 * and an explainable match weight per pair. Matches become observations for the stitching (still subject to
 * merge protection).
 */
import { progressCounter, type ProgressOptions } from '../core/progress.js';
import { expectArray, expectFinite, expectObjects, expectString } from '../core/guards.js';
import * as z from 'zod/mini';
import { discriminated, intSchema, regexCheck, enumSchema, literalSchema, gteCheck, gtCheck, ltCheck, minLengthCheck, maxLengthCheck, numberSchema, stringSchema } from '../core/zod.js';
import { attempt, CrossChannelError, parseWith, type Result, inputError } from '../core/errors.js';
import { safeToEpochMs, type EpochMs } from '../core/time.js';
import type { ObservationInput } from './graph.js';
import { jaroWinkler, levenshtein, soundex } from './strings.js';
import { ownValue } from '../core/own.js';

const prob = /* @__PURE__ */ (() => numberSchema().check(gtCheck(0), ltCheck(1)))();

const comparisonSchema = /* @__PURE__ */ (() => discriminated('kind', [
  z.strictObject({ kind: literalSchema('exact') }),
  z.strictObject({ kind: literalSchema('jaroWinkler'), thresholds: z._default(z.array(prob).check(minLengthCheck(1)), [0.92, 0.8]) }),
  z.strictObject({ kind: literalSchema('levenshtein'), thresholds: z._default(z.array(intSchema().check(gteCheck(1))).check(minLengthCheck(1)), [1, 2]) }),
  z.strictObject({ kind: literalSchema('date'), thresholdDays: z._default(z.array(numberSchema().check(gtCheck(0))).check(minLengthCheck(1)), [31, 366]) }),
  z.strictObject({ kind: literalSchema('postcodePrefix'), lengths: z._default(z.array(intSchema().check(gteCheck(1))).check(minLengthCheck(1)), [3, 2]) }),
]))();

const blockingKeySchema = /* @__PURE__ */ (() => z.union([
  stringSchema().check(minLengthCheck(1)),
  z.strictObject({ field: stringSchema().check(minLengthCheck(1)), transform: z._default(enumSchema(['value', 'soundex']), 'value'), prefix: z.optional(intSchema().check(gteCheck(1))) }),
]))();

/**
 * A Fellegi–Sunter model as written. `m[l]`/`u[l]` are the probabilities of comparison level `l` (0 = exact, …,
 * last = different) among matches / non-matches; omitted, they start from generic values (estimate them with
 * {@link estimateMatchParameters}). `lambda` is the prior probability that two records picked at random match
 * (about records per person ÷ number of records); the estimator sets it from the data.
 *
 * @example
 * ```ts
 * const input: MatchModelInput = {
 *   fields: [{ name: 'lastName', comparison: { kind: 'jaroWinkler' } }, { name: 'dob', comparison: { kind: 'date' } }],
 *   blocking: [[{ field: 'lastName', transform: 'soundex' }], ['dob']],
 * };
 * ```
 */
export const matchModelSchema = /* @__PURE__ */ (() => z.strictObject({
    fields: z
      .array(z.strictObject({ name: stringSchema().check(minLengthCheck(1)), comparison: comparisonSchema, m: z.optional(z.array(prob)), u: z.optional(z.array(prob)) })).check(minLengthCheck(1), maxLengthCheck(32)),
    /** Candidate pairs share every key of at least one rule (rules are OR-ed, keys inside a rule AND-ed). */
    blocking: z.array(z.array(blockingKeySchema).check(minLengthCheck(1))).check(minLengthCheck(1)),
    /** Pairs with a match probability at least this are matches. */
    threshold: z._default(prob, 0.9),
    lambda: z._default(prob, 0.01),
    /** Type of the identifier each record id becomes when matches are stitched. */
    identifierType: z._default(stringSchema().check(regexCheck(/^[a-z][a-z0-9_]{0,63}$/)), 'external_id'),
    /** Blocks larger than this are skipped (and counted): a block of every "Smith" is not blocking. */
    maxBlockSize: z._default(intSchema().check(gteCheck(2)), 5000),
  }))();

/**
 * A match model as written.
 *
 * @example
 * ```ts
 * const input: MatchModelInput = { fields: [{ name: 'email', comparison: { kind: 'exact' } }, { name: 'name', comparison: { kind: 'jaroWinkler' } }], blocking: [['postcode']] };
 * ```
 */
export type MatchModelInput = z.input<typeof matchModelSchema>;
type MatchModelSource = z.output<typeof matchModelSchema>;

/**
 * A record to match: an id and field values (strings; dates as `YYYY-MM-DD` or epoch ms).
 *
 * @example
 * ```ts
 * const record: MatchRecord = { id: 'crm-17', values: { name: 'ada lovelace', dob: '1815-12-10', postcode: 'W1' } };
 * ```
 */
export interface MatchRecord {
  readonly id: string;
  readonly values: Readonly<Record<string, string | number | null | undefined>>;
}

/**
 * A compiled field: its comparison levels, m/u and the weight of each level.
 *
 * @example
 * ```ts
 * declare const model: MatchModel;
 * const field: CompiledField = model.fields[0]!;
 * console.log(field.name, field.labels, [...field.weights]);
 * ```
 */
export interface CompiledField {
  readonly name: string;
  readonly kind: 'exact' | 'jaroWinkler' | 'levenshtein' | 'date' | 'postcodePrefix';
  readonly params: ReadonlyArray<number>;
  readonly labels: ReadonlyArray<string>;
  readonly m: Float64Array;
  readonly u: Float64Array;
  /** log2(m/u) per level: the field's contribution to the match weight. */
  readonly weights: Float64Array;
}

/**
 * A compiled match model (from {@link parseMatchModel}).
 *
 * @example
 * ```ts
 * const model: MatchModel = parseMatchModel({ fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }], blocking: [['name']] });
 * console.log(model.threshold, model.lambda);
 * ```
 */
export interface MatchModel {
  readonly source: MatchModelSource;
  readonly fields: ReadonlyArray<CompiledField>;
  readonly lambda: number;
  readonly threshold: number;
}

/**
 * One field's part of a pair's match weight.
 *
 * @example
 * ```ts
 * declare const pair: ScoredPair;
 * const strongest: FieldContribution | undefined = [...pair.fields].sort((x, y) => y.weight - x.weight)[0];
 * ```
 */
export interface FieldContribution {
  readonly field: string;
  /** `exact`, `jaroWinkler≥0.92`, `levenshtein≤1`, `within 31 days`, `prefix 3`, `different` or `missing`. */
  readonly level: string;
  /** log2(m/u) of that level, 0 when a value is missing. */
  readonly weight: number;
}

/**
 * A scored candidate pair.
 *
 * @example
 * ```ts
 * declare const records: MatchRecord[];
 * declare const model: MatchModel;
 * const pairs: ScoredPair[] = [...matchRecords(records, model).matches];
 * for (const p of pairs) console.log(p.a, p.b, p.probability.toFixed(3));
 * ```
 */
export interface ScoredPair {
  readonly a: string;
  readonly b: string;
  /** log2 of the posterior odds of a match: prior weight plus the sum of the field weights. */
  readonly weight: number;
  readonly probability: number;
  readonly fields: ReadonlyArray<FieldContribution>;
}

/**
 * Counts of one matching run.
 *
 * @example
 * ```ts
 * declare const records: MatchRecord[];
 * declare const model: MatchModel;
 * const stats: MatchStats = matchRecords(records, model).stats;
 * if (stats.oversizedBlocks > 0) console.warn(`${stats.skippedPairs} pairs skipped: tighten blocking`);
 * ```
 */
export interface MatchStats {
  readonly records: number;
  readonly pairsCompared: number;
  readonly blocks: number;
  /** Blocks over `maxBlockSize`, skipped, and the pairs they would have produced. */
  readonly oversizedBlocks: number;
  readonly skippedPairs: number;
}

function levelsOf(c: z.output<typeof comparisonSchema>): { params: number[]; labels: string[] } {
  switch (c.kind) {
    case 'exact':
      return { params: [], labels: ['exact', 'different'] };
    case 'jaroWinkler':
      return { params: c.thresholds, labels: ['exact', ...c.thresholds.map((t) => `jaroWinkler≥${t}`), 'different'] };
    case 'levenshtein':
      return { params: c.thresholds, labels: ['exact', ...c.thresholds.map((t) => `levenshtein≤${t}`), 'different'] };
    case 'date':
      return { params: c.thresholdDays, labels: ['exact', ...c.thresholdDays.map((t) => `within ${t} days`), 'different'] };
    case 'postcodePrefix':
      return { params: c.lengths, labels: ['exact', ...c.lengths.map((t) => `prefix ${t}`), 'different'] };
  }
}

function defaultM(levels: number): number[] {
  // Most matches agree exactly; the rest spread over the fuzzier levels.
  const rest = 0.1 / (levels - 1);
  return [0.9, ...Array.from({ length: levels - 1 }, () => rest)];
}

function defaultU(levels: number): number[] {
  const near = 0.05 / Math.max(1, levels - 2);
  return [0.01, ...Array.from({ length: levels - 2 }, () => near), levels > 2 ? 0.94 : 0.99];
}

/**
 * Validates and compiles a match model. Throws `IDENTITY_MATCH_MODEL_INVALID` with the path of the bad field
 * (unsorted thresholds, m/u of the wrong length, duplicate field names…).
 *
 * @example
 * ```ts
 * const model = parseMatchModel({ fields: [{ name: 'email', comparison: { kind: 'exact' } }], blocking: [['email']] });
 * model.fields[0]?.labels; // ['exact', 'different']
 * ```
 */
export function parseMatchModel(input: MatchModelInput): MatchModel {
  const src = parseWith(matchModelSchema, input, 'IDENTITY_MATCH_MODEL_INVALID');
  const names = new Set<string>();
  const fields = src.fields.map((f, i): CompiledField => {
    const bad = (message: string, ...path: Array<string | number>) =>
      new CrossChannelError('IDENTITY_MATCH_MODEL_INVALID', message, { path: ['fields', i, ...path] });
    if (names.has(f.name)) throw bad(`Duplicate field ${f.name}`, 'name');
    names.add(f.name);
    const { params, labels } = levelsOf(f.comparison);
    const descending = f.comparison.kind === 'jaroWinkler' || f.comparison.kind === 'postcodePrefix';
    for (let k = 1; k < params.length; k++) {
      if (descending ? params[k]! >= params[k - 1]! : params[k]! <= params[k - 1]!) {
        throw bad(`Thresholds must be strictly ${descending ? 'decreasing' : 'increasing'}`, 'comparison');
      }
    }
    const m = f.m ?? defaultM(labels.length);
    const u = f.u ?? defaultU(labels.length);
    if (m.length !== labels.length) throw bad(`m needs ${labels.length} probabilities (${labels.join(', ')})`, 'm');
    if (u.length !== labels.length) throw bad(`u needs ${labels.length} probabilities (${labels.join(', ')})`, 'u');
    return withParams({ name: f.name, kind: f.comparison.kind, params, labels }, m, u);
  });
  return { source: src, fields, lambda: src.lambda, threshold: src.threshold };
}

/**
 * Non-throwing {@link parseMatchModel}.
 *
 * @example
 * ```ts
 * safeParseMatchModel({ fields: [], blocking: [] }).ok; // false
 * ```
 */
export function safeParseMatchModel(input: unknown): Result<MatchModel> {
  return attempt(() => parseMatchModel(input as MatchModelInput));
}

function withParams(f: Pick<CompiledField, 'name' | 'kind' | 'params' | 'labels'>, m: ArrayLike<number>, u: ArrayLike<number>): CompiledField {
  const mm = Float64Array.from(m);
  const uu = Float64Array.from(u);
  const weights = new Float64Array(mm.length);
  for (let l = 0; l < mm.length; l++) weights[l] = Math.log2(mm[l]! / uu[l]!);
  return { ...f, m: mm, u: uu, weights };
}

/** Records with field values normalised once: strings trimmed/lowercased, postcodes compacted, dates as day numbers. */
interface Prepared {
  readonly ids: string[];
  /** Scratch buffers reused by Jaro–Winkler across the pairs of one run. */
  readonly scratch: { a: Uint8Array; b: Uint8Array };
  readonly text: string[][];
  readonly days: Float64Array[];
}

const DAY_MS = 86_400_000;

// `path` names the records in errors (`records[3].values.name`; `[0]` / `[1]` for scorePair's two).
function prepare(records: ReadonlyArray<MatchRecord>, model: MatchModel, extraFields: ReadonlyArray<string>, path: ReadonlyArray<string> = []): Prepared & { extra: Map<string, string[]> } {
  const n = records.length;
  const ids = records.map((r, i) => {
    if (r === null || typeof r !== 'object' || typeof r.id !== 'string' || r.values === null || typeof r.values !== 'object') {
      throw inputError('record must be { id: string, values: object }', [...path, i]);
    }
    // Values are read as text: an object there (plain JavaScript) may throw from String(), and says nothing as text.
    for (const [k, v] of Object.entries(r.values)) {
      if ((typeof v === 'object' && v !== null) || typeof v === 'symbol' || typeof v === 'function') throw inputError('A record value must be a string, a number or null', [...path, i, 'values', k]);
    }
    return r.id;
  });
  // Values by own key: a field may be named `constructor`, and a record without it has no value.
  const text = model.fields.map((f) => {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = normText(ownValue(records[i]!.values, f.name), f.kind === 'postcodePrefix');
    return out;
  });
  const days = model.fields.map((f) => {
    const out = new Float64Array(n);
    if (f.kind === 'date') for (let i = 0; i < n; i++) out[i] = dayNumber(ownValue(records[i]!.values, f.name));
    return out;
  });
  const extra = new Map<string, string[]>();
  for (const name of extraFields) {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = normText(ownValue(records[i]!.values, name), false);
    extra.set(name, out);
  }
  return { ids, text, days, extra, scratch: { a: new Uint8Array(64), b: new Uint8Array(64) } };
}

function normText(v: string | number | null | undefined, postcode: boolean): string {
  if (v === null || v === undefined) return '';
  // NFC: the same name typed on two systems may arrive composed (`ë`) or decomposed (`e` + U+0308).
  const s = String(v).trim().toLowerCase().normalize();
  return postcode ? s.replace(/[\s-]+/g, '') : s.replace(/\s+/g, ' ');
}

function dayNumber(v: string | number | null | undefined): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.floor(v / DAY_MS) : NaN;
  // ISO 8601 as core reads it (a date, or a date-time with its offset); anything else is missing. Date.parse read
  // other text in the host's time zone (`1990-2-3` was 2 February in Tokyo) and rolled 1990-02-30 to 2 March.
  const t = typeof v === 'string' ? safeToEpochMs(v.trim()) : undefined;
  return t?.ok ? Math.floor(t.value / DAY_MS) : NaN;
}

/** Comparison level of field `f` for records `i`, `j`; -1 when a value is missing. */
function levelOf(field: CompiledField, f: number, p: Prepared, i: number, j: number): number {
  const last = field.labels.length - 1;
  if (field.kind === 'date') {
    const a = p.days[f]![i]!;
    const b = p.days[f]![j]!;
    if (Number.isNaN(a) || Number.isNaN(b)) return -1;
    const d = Math.abs(a - b);
    if (d === 0) return 0;
    for (let k = 0; k < field.params.length; k++) if (d <= field.params[k]!) return k + 1;
    return last;
  }
  const a = p.text[f]![i]!;
  const b = p.text[f]![j]!;
  if (a === '' || b === '') return -1;
  if (a === b) return 0;
  switch (field.kind) {
    case 'jaroWinkler': {
      const s = jaroWinkler(a, b, p.scratch);
      for (let k = 0; k < field.params.length; k++) if (s >= field.params[k]!) return k + 1;
      return last;
    }
    case 'levenshtein': {
      const max = field.params[field.params.length - 1]!;
      const d = levenshtein(a, b, max);
      for (let k = 0; k < field.params.length; k++) if (d <= field.params[k]!) return k + 1;
      return last;
    }
    case 'postcodePrefix': {
      for (let k = 0; k < field.params.length; k++) {
        const len = field.params[k]!;
        if (a.length >= len && b.length >= len && a.slice(0, len) === b.slice(0, len)) return k + 1;
      }
      return last;
    }
    default:
      return last;
  }
}

function blockingFields(model: MatchModel): string[] {
  const out = new Set<string>();
  for (const rule of model.source.blocking) for (const k of rule) out.add(typeof k === 'string' ? k : k.field);
  return [...out];
}

/** Candidate pairs (i < j) from the blocking rules, each pair once, in a deterministic order. */
function candidatePairs(p: Prepared & { extra: Map<string, string[]> }, model: MatchModel): { a: Int32Array; b: Int32Array; stats: Omit<MatchStats, 'records' | 'pairsCompared'> } {
  const n = p.ids.length;
  const as: number[] = [];
  const bs: number[] = [];
  let blocks = 0;
  let oversized = 0;
  let skipped = 0;
  const max = model.source.maxBlockSize;
  // Per rule: each record's block key ('' = not blocked) and the size of each block, so that a pair already
  // produced by an earlier rule is recognised without a set of pairs.
  const keysOf: string[][] = [];
  const sizesOf: Array<Map<string, number>> = [];
  for (const rule of model.source.blocking) {
    const keys = rule.map((k) => (typeof k === 'string' ? { field: k, transform: 'value' as const, prefix: undefined } : k));
    const recordKeys = new Array<string>(n);
    const groups = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      let key = '';
      for (const k of keys) {
        let v = p.extra.get(k.field)![i]!;
        if (k.transform === 'soundex') v = soundex(v);
        if (k.prefix !== undefined) v = v.slice(0, k.prefix);
        if (v === '') {
          key = '';
          break;
        }
        key += `${v}\u0000`;
      }
      recordKeys[i] = key;
      if (key === '') continue;
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    }
    const sizes = new Map<string, number>();
    for (const [key, g] of groups) sizes.set(key, g.length);
    const r = keysOf.length;
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      if (g.length > max) {
        oversized++;
        skipped += (g.length * (g.length - 1)) / 2;
        continue;
      }
      blocks++;
      for (let x = 0; x < g.length; x++) {
        const i = g[x]!;
        for (let y = x + 1; y < g.length; y++) {
          const j = g[y]!;
          let dup = false;
          for (let q = 0; q < r && !dup; q++) {
            const ki = keysOf[q]![i]!;
            dup = ki !== '' && ki === keysOf[q]![j] && sizesOf[q]!.get(ki)! <= max;
          }
          if (dup) continue;
          as.push(i);
          bs.push(j);
        }
      }
    }
    keysOf.push(recordKeys);
    sizesOf.push(sizes);
  }
  return { a: Int32Array.from(as), b: Int32Array.from(bs), stats: { blocks, oversizedBlocks: oversized, skippedPairs: skipped } };
}

function score(model: MatchModel, p: Prepared, i: number, j: number, explain: boolean): { weight: number; fields: FieldContribution[] } {
  let weight = Math.log2(model.lambda / (1 - model.lambda));
  const fields: FieldContribution[] = [];
  for (let f = 0; f < model.fields.length; f++) {
    const field = model.fields[f]!;
    const l = levelOf(field, f, p, i, j);
    const w = l < 0 ? 0 : field.weights[l]!;
    weight += w;
    if (explain) fields.push({ field: field.name, level: l < 0 ? 'missing' : field.labels[l]!, weight: w });
  }
  return { weight, fields };
}

function probabilityOf(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/**
 * Compares every candidate pair the blocking rules produce and returns the pairs at or above the model's
 * threshold, each explained field by field, with run counts.
 *
 * @example
 * ```ts
 * const model = parseMatchModel({
 *   fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }, { name: 'dob', comparison: { kind: 'date' } }],
 *   blocking: [['dob']],
 *   threshold: 0.5,
 * });
 * const { matches } = matchRecords(
 *   [{ id: 'crm-1', values: { name: 'Jon Smith', dob: '1980-02-01' } }, { id: 'pos-9', values: { name: 'John Smith', dob: '1980-02-01' } }],
 *   model,
 * );
 * matches[0]?.fields; // [{ field: 'name', level: 'jaroWinkler≥0.92', weight: … }, { field: 'dob', level: 'exact', weight: … }]
 * ```
 */
export function matchRecords(records: ReadonlyArray<MatchRecord>, model: MatchModel, progress?: ProgressOptions): { matches: ScoredPair[]; stats: MatchStats } {
  expectArray(records, ['records']);
  expectObjects(records, ['records']);
  expectMatchModel(model);
  const tracker = progressCounter(progress, ['progress']);
  const p = prepare(records, model, blockingFields(model), ['records']);
  const pairs = candidatePairs(p, model);
  const matches: ScoredPair[] = [];
  const minWeight = Math.log2(model.threshold / (1 - model.threshold));
  for (let k = 0; k < pairs.a.length; k++) {
    const i = pairs.a[k]!;
    const j = pairs.b[k]!;
    tracker?.step();
    const s = score(model, p, i, j, false);
    if (s.weight < minWeight) continue;
    const e = score(model, p, i, j, true);
    matches.push({ a: p.ids[i]!, b: p.ids[j]!, weight: e.weight, probability: probabilityOf(e.weight), fields: e.fields });
  }
  tracker?.end();
  return { matches, stats: { records: records.length, pairsCompared: pairs.a.length, ...pairs.stats } };
}

/**
 * Scores one pair of records, explained field by field (whether or not blocking would have paired them).
 *
 * @example
 * ```ts
 * const model = parseMatchModel({ fields: [{ name: 'email', comparison: { kind: 'levenshtein' } }], blocking: [['email']] });
 * scorePair({ id: 'a', values: { email: 'ada@shop.test' } }, { id: 'b', values: { email: 'ada@shop.tst' } }, model).fields[0]?.level; // 'levenshtein≤1'
 * ```
 */
export function scorePair(a: MatchRecord, b: MatchRecord, model: MatchModel): ScoredPair {
  const p = prepare([a, b], model, []);
  const s = score(model, p, 0, 1, true);
  return { a: a.id, b: b.id, weight: s.weight, probability: probabilityOf(s.weight), fields: s.fields };
}

/** @internal shared with the EM estimator. */
export const internals = { prepare, candidatePairs, levelOf, blockingFields, withParams };

/**
 * Turns matches into observations for the stitching: each match links the two records' identifiers
 * (`identifierType` of the model, value = record id), with source `match`. Merge protection still applies.
 *
 * @example
 * ```ts
 * const model = parseMatchModel({ fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }], blocking: [['name']], threshold: 0.5 });
 * const { matches } = matchRecords([{ id: 'crm-1', values: { name: 'ada' } }, { id: 'pos-2', values: { name: 'ada' } }], model);
 * new IdentityGraph().add(matchesToObservations(matches, model, Date.UTC(2026, 0, 1)));
 * ```
 */
export function matchesToObservations(matches: ReadonlyArray<ScoredPair>, model: MatchModel, at: EpochMs): ObservationInput[] {
  expectArray(matches, ['matches']);
  expectObjects(matches, ['matches']);
  expectMatchModel(model);
  expectFinite(at, ['at']);
  matches.forEach((m, i) => ['a', 'b'].forEach((k) => expectString(m[k as 'a'], ['matches', i, k])));
  const type = model.source.identifierType;
  return matches.map((m) => ({ identifiers: [{ type, value: m.a }, { type, value: m.b }], at, source: 'match' }));
}

/** A model from `parseMatchModel` (plain JavaScript may pass anything). */
function expectMatchModel(model: unknown): void {
  const m = model as { fields?: unknown; threshold?: unknown; source?: unknown } | null;
  if (typeof m !== 'object' || m === null || !Array.isArray(m.fields) || typeof m.threshold !== 'number' || typeof m.source !== 'object' || m.source === null) {
    throw inputError('Expected a match model from parseMatchModel', ['model']);
  }
}
