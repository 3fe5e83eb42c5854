/**
 * Checks of the plain-data arguments of capping's public functions — a candidate, a history, options — for
 * callers from plain JavaScript: a wrong shape is `INPUT_INVALID` at the argument's path instead of a `TypeError`
 * from inside the evaluation, or a wrong answer. O(records), typeof tests only; internal callers whose data is
 * already parsed (the stores, `decide`, the planner's own loop) call the unchecked evaluation. Internal: not
 * exported from the entry.
 */
import { inputError } from '../core/errors.js';
import { checkHistoryArg } from '../core/record-checks.js';
import { MAX_EPOCH_MS } from '../core/time.js';

type Path = ReadonlyArray<string | number>;

function bad(message: string, path: Path): never {
  throw inputError(message, path);
}

function optionalStrings(o: Record<string, unknown>, path: Path): void {
  for (const k of ['campaignId', 'offerId'] as const) if (o[k] !== undefined && typeof o[k] !== 'string') bad(`${k} must be a string`, [...path, k]);
  const tags = o.tags;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) bad('tags must be an array of strings', [...path, 'tags']);
}

/** A candidate: a non-empty `channel`, optional string ids and tags, a boolean `transactional`, a finite `priority`. */
export function checkCandidate(c: unknown, path: Path = ['candidate']): void {
  if (typeof c !== 'object' || c === null) bad('candidate must be an object', path);
  const o = c as Record<string, unknown>;
  if (typeof o.channel !== 'string' || o.channel.length === 0) bad('channel must be a non-empty string', [...path, 'channel']);
  optionalStrings(o, path);
  if (o.transactional !== undefined && typeof o.transactional !== 'boolean') bad('transactional must be a boolean', [...path, 'transactional']);
  if (o.priority !== undefined && (typeof o.priority !== 'number' || !Number.isFinite(o.priority))) bad('priority must be a finite number', [...path, 'priority']);
}

/** The record lists of a capping history. */
export const CAP_LISTS = ['contacts', 'responses'] as const;

/** A capping history: `contacts` and `responses` arrays; with `records`, every record too ({@link checkCapRecords}). */
export function checkCapHistory(h: unknown, path: Path = ['history'], records = true): void {
  checkHistoryArg(h, path, CAP_LISTS, false);
  if (records) checkCapRecords(h as CapLists, path);
}

/**
 * Options: an object; `now` is checked by the evaluation (`TIME_INVALID` at `now`), the zone by `checkZone` (at
 * `timeZone`): a zone that is not a string is named there too.
 */
export function checkCapOptions(o: unknown, path: Path = ['options']): void {
  if (typeof o !== 'object' || o === null) bad('options must be an object with now', path);
  const zone = (o as Record<string, unknown>).timeZone;
  if (zone !== undefined && typeof zone !== 'string') bad('timeZone must be an IANA zone name', ['timeZone']);
}

interface CapLists {
  readonly contacts: ReadonlyArray<unknown>;
  readonly responses: ReadonlyArray<unknown>;
}

/**
 * Every record capping reads, in one pass and without allocating: an object; `at` whole epoch milliseconds within
 * ±8.64e15 and not before the record before it (the lists are searched by `at`: an unsorted list would count
 * wrongly, and a `NaN` matches no comparison); a string `channel` (and `kind` for a response); `campaignId` and
 * `offerId` strings when present; `tags` an array of strings when present (a string would be matched character by
 * character); `transactional` a boolean when present. Throws `INPUT_INVALID` at the first bad field
 * (`history.contacts[3].at`). A parsed `History` always passes: what the record schemas guarantee, plus the order
 * `createHistory` and the stores keep.
 */
export function checkCapRecords(h: CapLists, path: Path): void {
  checkList(h.contacts, path, 'contacts');
  checkList(h.responses, path, 'responses');
}

function checkList(list: ReadonlyArray<unknown>, path: Path, name: 'contacts' | 'responses'): void {
  const responses = name === 'responses';
  let prev = -MAX_EPOCH_MS;
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as Record<string, unknown> | null;
    // The common case in one test; the exact complaint is found on the slow path.
    if (
      typeof r !== 'object' || r === null ||
      !(Number.isInteger(r.at) && (r.at as number) >= prev && (r.at as number) <= MAX_EPOCH_MS) ||
      typeof r.channel !== 'string' ||
      (responses ? typeof r.kind !== 'string' : r.transactional !== undefined && typeof r.transactional !== 'boolean') ||
      (r.campaignId !== undefined && typeof r.campaignId !== 'string') ||
      (r.offerId !== undefined && typeof r.offerId !== 'string') ||
      (r.tags !== undefined && !isStringArray(r.tags))
    ) {
      badRecord(r, prev, [...path, name, i], name);
    }
    prev = r.at as number;
  }
}

function isStringArray(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let k = 0; k < v.length; k++) if (typeof v[k] !== 'string') return false;
  return true;
}

/** Throws for the first bad field of a record the fast test refused. */
function badRecord(r: Record<string, unknown> | null, prev: number, at: Path, list: 'contacts' | 'responses'): never {
  if (typeof r !== 'object' || r === null) bad('Expected a record (an object)', at);
  const t = r.at;
  if (!Number.isInteger(t) || Math.abs(t as number) > MAX_EPOCH_MS) bad(`at must be whole epoch milliseconds within ±8.64e15, got ${typeof t === 'number' ? t : typeof t}`, [...at, 'at']);
  if ((t as number) < prev) bad(`${list} must be sorted by at (ascending): ${t as number} comes after ${prev}`, [...at, 'at']);
  if (list === 'responses' && typeof r.kind !== 'string') bad('kind must be a string', [...at, 'kind']);
  if (typeof r.channel !== 'string') bad('channel must be a string', [...at, 'channel']);
  if (r.transactional !== undefined && typeof r.transactional !== 'boolean') bad('transactional must be a boolean', [...at, 'transactional']);
  for (const k of ['campaignId', 'offerId']) if (r[k] !== undefined && typeof r[k] !== 'string') bad(`${k} must be a string`, [...at, k]);
  const tags = r.tags;
  if (!Array.isArray(tags)) bad('tags must be an array of strings', [...at, 'tags']);
  const k = tags.findIndex((x) => typeof x !== 'string');
  bad('tags must be an array of strings', [...at, 'tags', k]);
}
