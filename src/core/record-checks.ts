/**
 * Checks of history-shaped arguments (`contacts`, `responses`, `events`) for callers from plain JavaScript. The
 * functions that read a history search it by `at` and read only the records in their windows, so checking every
 * record on every call would change their cost from O(log n) to O(n): they check the shape (O(1)) up front, and
 * every record only when their evaluation failed ({@link namingBadRecords}), so that a record of the wrong shape is
 * `INPUT_INVALID` at its path instead of a `TypeError` from inside. Internal: not exported from the package.
 */
import { inputError } from './errors.js';

type Path = ReadonlyArray<string | number>;
/** A record list of a history. */
export type RecordList = 'contacts' | 'responses' | 'events';

// The string field each kind of record is about.
const KEY: Readonly<Record<RecordList, string>> = { contacts: 'channel', responses: 'kind', events: 'type' };
const OPTIONAL_STRINGS = ['channel', 'campaignId', 'offerId', 'contactId', 'subjectId', 'id'] as const;

function bad(message: string, path: Path): never {
  throw inputError(message, path);
}

function checkRecord(v: unknown, list: RecordList, at: Path, i: number): void {
  // Paths are built only for a bad record (a learning pass checks every record of a long history).
  if (typeof v !== 'object' || v === null) bad('Expected a record (an object)', [...at, list, i]);
  const o = v as Record<string, unknown>;
  if (typeof o.at !== 'number' || !Number.isFinite(o.at)) badField(at, list, i, 'at', 'at must be epoch milliseconds');
  const key = KEY[list];
  if (typeof o[key] !== 'string') badField(at, list, i, key, `${key} must be a string`);
  for (const k of OPTIONAL_STRINGS) if (k !== key && o[k] !== undefined && typeof o[k] !== 'string') badField(at, list, i, k, `${k} must be a string`);
  const tags = o.tags;
  if (tags !== undefined && !(Array.isArray(tags) && allStrings(tags))) badField(at, list, i, 'tags', 'tags must be an array of strings');
  if (o.transactional !== undefined && typeof o.transactional !== 'boolean') badField(at, list, i, 'transactional', 'transactional must be a boolean');
  if (list === 'events' && (typeof o.properties !== 'object' || o.properties === null)) badField(at, list, i, 'properties', 'properties must be an object');
}

function badField(at: Path, list: RecordList, i: number, k: string, message: string): never {
  bad(message, [...at, list, i, k]);
}

function allStrings(list: readonly unknown[]): boolean {
  for (const t of list) if (typeof t !== 'string') return false;
  return true;
}

/**
 * Throws `INPUT_INVALID` unless `h` is an object whose `lists` are arrays; with `records`, also unless every record
 * of them is an object with a finite `at`, its string field (`channel`, `kind`, `type`), string ids, string tags and,
 * for events, `properties`.
 */
export function checkHistoryArg(h: unknown, path: Path, lists: ReadonlyArray<RecordList>, records: boolean): void {
  if (typeof h !== 'object' || h === null) bad(`history must be an object with ${lists.join(', ')}`, path);
  for (const l of lists) {
    const list = (h as Record<string, unknown>)[l];
    if (!Array.isArray(list)) bad(`${l} must be an array`, [...path, l]);
    if (records) for (let i = 0; i < list.length; i++) checkRecord(list[i], l, path, i);
  }
}

/**
 * Runs `evaluate`; when it throws — a record of the wrong shape met inside a window, as a `TypeError` or as
 * `lowerBoundAt`'s error about its own argument — checks every record of `h` and throws `INPUT_INVALID` at the bad
 * one's path, or rethrows when none is bad. The happy path costs one `try`.
 */
export function namingBadRecords<T>(h: unknown, path: Path, lists: ReadonlyArray<RecordList>, evaluate: () => T): T {
  try {
    return evaluate();
  } catch (e) {
    checkHistoryArg(h, path, lists, true);
    throw e;
  }
}
