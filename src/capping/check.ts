/**
 * Checks of the plain-data arguments of capping's public functions — a candidate, a history, options — for
 * callers from plain JavaScript: a wrong shape is `INPUT_INVALID` at the argument's path instead of a `TypeError`
 * from inside the evaluation. O(records), typeof tests only; internal callers whose data is already parsed (the
 * stores, `decide`, the planner's own loop) call the unchecked evaluation. Internal: not exported from the entry.
 */
import { inputError } from '../core/errors.js';
import { checkHistoryArg } from '../core/record-checks.js';

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

/** A capping history: `contacts` and `responses` arrays; with `records`, every record too (see core/record-checks.ts). */
export function checkCapHistory(h: unknown, path: Path = ['history'], records = true): void {
  checkHistoryArg(h, path, CAP_LISTS, records);
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
