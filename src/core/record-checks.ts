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

function checkRecord(v: unknown, list: RecordList, path: Path): void {
  if (typeof v !== 'object' || v === null) bad('Expected a record (an object)', path);
  const o = v as Record<string, unknown>;
  if (typeof o.at !== 'number' || !Number.isFinite(o.at)) bad('at must be epoch milliseconds', [...path, 'at']);
  const key = KEY[list];
  if (typeof o[key] !== 'string') bad(`${key} must be a string`, [...path, key]);
  for (const k of OPTIONAL_STRINGS) if (k !== key && o[k] !== undefined && typeof o[k] !== 'string') bad(`${k} must be a string`, [...path, k]);
  const tags = o.tags;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) bad('tags must be an array of strings', [...path, 'tags']);
  if (o.transactional !== undefined && typeof o.transactional !== 'boolean') bad('transactional must be a boolean', [...path, 'transactional']);
  if (list === 'events' && (typeof o.properties !== 'object' || o.properties === null)) bad('properties must be an object', [...path, 'properties']);
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
    if (records) for (let i = 0; i < list.length; i++) checkRecord(list[i], l, [...path, l, i]);
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
