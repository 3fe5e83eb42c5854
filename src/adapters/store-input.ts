/**
 * Argument checks the memory, Redis and PostgreSQL stores share, so that every implementation of an interface
 * refuses the same calls with the same code and path (the modules' own parsers check records; these check the
 * arguments of reads, releases and usage queries, and the options of the memory stores). Internal to the
 * adapters: not exported from any entry.
 */
import { CrossChannelError, inputError } from '../core/errors.js';
import { expectArray, expectOptions, expectString } from '../core/guards.js';
import { isIdString } from '../core/schema.js';
import type { EpochMs } from '../core/time.js';
import { validateConsume, validateRelease, type OfferCapacitySpec } from '../arbitration/store.js';
import { checkIds } from '../experiments/store.js';

/**
 * Throws `INPUT_INVALID` at `path` unless `value` is an id as the record schemas accept it (1–256 characters, no
 * control character, no lone surrogate). A read or an erase with another id can match nothing the store holds —
 * except on engines that read a lone surrogate as U+FFFD, where it would reach another subject's data.
 */
export function checkStoreId(value: unknown, path: string): asserts value is string {
  expectString(value, [path]);
  if (!isIdString(value)) throw inputError(`${path} must be 1–256 characters without control characters or lone surrogates`, [path]);
}

/** Throws `INPUT_INVALID` at `path` unless `value` is a number other than NaN (epoch ms; ±Infinity are open bounds). */
export function checkBound(value: unknown, path: string): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw inputError(`${path} must be epoch milliseconds (or ±Infinity)`, [path]);
}

/** An event read's arguments, checked: open bounds are ±Infinity. */
export interface EventReadWindow {
  readonly from: number;
  readonly to: number;
  readonly types: ReadonlyArray<string> | undefined;
}

function bound(value: unknown, path: 'from' | 'to', open: number): number {
  if (value === undefined) return open;
  // ±Infinity are open bounds; NaN is no bound at all.
  checkBound(value, path);
  return value;
}

/**
 * Checks `EventStore.read(subjectId, options)`: `subjectId` an id (`INPUT_INVALID` at `subjectId`), `options` an
 * object or undefined (at `options`), `from`/`to` numbers — ±Infinity allowed as open bounds, NaN and non-numbers
 * refused at `from`/`to` — and `types` an array of strings (at `types`, `types[i]`).
 */
export function checkEventRead(subjectId: unknown, options: unknown): EventReadWindow {
  checkStoreId(subjectId, 'subjectId');
  expectOptions(options, ['options']);
  const o = (options ?? {}) as { from?: unknown; to?: unknown; types?: unknown };
  const from = bound(o.from, 'from', Number.NEGATIVE_INFINITY);
  const to = bound(o.to, 'to', Number.POSITIVE_INFINITY);
  let types: string[] | undefined;
  if (o.types !== undefined) {
    expectArray(o.types, ['types']);
    types = o.types.map((t, i) => {
      expectString(t, ['types', i]);
      return t;
    });
  }
  return { from, to, types };
}

/** Throws `CONFIG_INVALID` at the option's name for an option the store does not know (a typo is not ignored). */
export function refuseUnknownOptions(options: unknown, known: ReadonlyArray<string>): void {
  expectOptions(options, ['options']);
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const which = known.length === 0 ? 'takes no options' : `knows ${known.join(', ')}`;
      throw new CrossChannelError('CONFIG_INVALID', `Unknown option ${JSON.stringify(key)}: this store ${which}`, { path: [key] });
    }
  }
}

function checkOfferIdText(offerId: string, path: ReadonlyArray<string | number>): void {
  // validateConsume bounds the length; the id must also survive the engines (Redis keys read a lone surrogate as U+FFFD).
  if (!isIdString(offerId)) throw inputError('offerId must not contain control characters or lone surrogates', path);
}

/**
 * Checks `OfferCapacityStore.consume`: `validateConsume`, an offer id without control characters or lone surrogates,
 * and a `key` (when given) of the same kind.
 */
export function checkConsume(offerId: unknown, spec: OfferCapacitySpec, now: unknown, amount: unknown, key?: unknown): void {
  validateConsume(offerId, spec, now, amount);
  checkOfferIdText(offerId as string, ['offerId']);
  checkKey(key, ['key']);
}

function checkKey(key: unknown, path: ReadonlyArray<string>): void {
  if (key !== undefined && !isIdString(key)) throw inputError('key must be 1–256 characters without control characters or lone surrogates', path);
}

/**
 * Checks `OfferCapacityStore.release`: a reservation as `consume` returns it — its `amount` a positive integer as
 * `consume` takes it (at most 1,000,000), its `cost` a non-negative finite number — `INPUT_INVALID` at the field.
 */
export function checkRelease(reservation: unknown): void {
  validateRelease(reservation);
  const r = reservation as { offerId: string; amount: number; cost: number; key?: unknown };
  checkOfferIdText(r.offerId, ['reservation', 'offerId']);
  checkKey(r.key, ['reservation', 'key']);
  if (!Number.isInteger(r.amount) || r.amount < 1 || r.amount > 1_000_000) throw inputError('amount must be a positive integer', ['reservation', 'amount']);
  if (r.cost < 0) throw inputError('cost must be a non-negative number', ['reservation', 'cost']);
}

/** Checks `OfferCapacityStore.usage`: an array of offer ids (at `offerIds`, `offerIds[i]`), then the calendar and `now`. */
export function checkUsage(offerIds: unknown, spec: Pick<OfferCapacitySpec, 'timeZone' | 'weekStartsOn'>, now: EpochMs): asserts offerIds is ReadonlyArray<string> {
  expectArray(offerIds, ['offerIds']);
  for (let i = 0; i < offerIds.length; i++) {
    const id = offerIds[i];
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw inputError('offerId must be a non-empty string', ['offerIds', i]);
    checkOfferIdText(id, ['offerIds', i]);
  }
  validateConsume('usage', spec, now, 1);
}

/**
 * Checks the ids of an assignment read or erase: `checkIds` (non-empty strings at `experimentId`, `unitId`), and
 * ids the record schema would accept (no control character, no lone surrogate), at the same paths.
 */
export function checkAssignmentIds(experimentId: unknown, unitId: unknown): void {
  checkIds(experimentId, unitId);
  checkStoreId(experimentId, 'experimentId');
  checkStoreId(unitId, 'unitId');
}

/** Orders strings by UTF-16 code units (what `<` does), independent of any locale or database collation. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
