import { parseContactRecord, type ContactRecord, type ContactRecordInput } from '../core/records.js';
import { isChannelName, isIdString } from '../core/schema.js';
import { MAX_EPOCH_MS } from '../core/time.js';

// The zod schema of core/records is the contract; this is a shortcut for the common case of an already-parsed
// record or a plain input (epoch-ms `at`; `tags` and `transactional` present or left to their defaults, [] and
// false), checked field by field against the same constraints. Anything else — ISO strings, Dates, or any
// violation — goes through the schema, which also gives the error
// its path. Reservations sit on the hot path of every send, where a full schema parse cost more than the
// Redis round trip.
const KEYS = new Set(['id', 'subjectId', 'channel', 'campaignId', 'offerId', 'tags', 'at', 'transactional', 'idempotencyKey']);

const NO_TAGS: readonly string[] = [];

const isOptionalId = (v: unknown): boolean => v === undefined || isIdString(v);

/**
 * Reads a contact record like `parseContactRecord` (same result, same `INPUT_INVALID` errors with paths), with a
 * fast path for records that are already in parsed form. Returns a fresh object the caller may keep.
 *
 * @example
 * ```ts
 * toContactRecord({ id: 'c1', subjectId: 'p1', channel: 'sms', at: 1767603600000, tags: [], transactional: false });
 * toContactRecord({ id: 'c1', subjectId: 'p1', channel: 'sms', at: '2026-01-05T09:00:00Z' }); // via the schema
 * ```
 */
export function toContactRecord(input: unknown): ContactRecord {
  if (typeof input !== 'object' || input === null) return parseContactRecord(input as ContactRecordInput);
  const r = input as Record<string, unknown>;
  const at = r.at;
  const tags = r.tags === undefined ? NO_TAGS : r.tags;
  const transactional = r.transactional === undefined ? false : r.transactional;
  if (
    typeof at !== 'number' ||
    !Number.isInteger(at) ||
    Math.abs(at) > MAX_EPOCH_MS ||
    typeof transactional !== 'boolean' ||
    !Array.isArray(tags) ||
    tags.length > 64 ||
    !isIdString(r.id) ||
    !isIdString(r.subjectId) ||
    !isChannelName(r.channel) ||
    !isOptionalId(r.campaignId) ||
    !isOptionalId(r.offerId) ||
    !isOptionalId(r.idempotencyKey)
  ) {
    return parseContactRecord(input as ContactRecordInput);
  }
  for (const t of tags) if (!isIdString(t, 128)) return parseContactRecord(input as ContactRecordInput);
  for (const k in r) if (!KEYS.has(k)) return parseContactRecord(input as ContactRecordInput);
  const out: ContactRecord = { id: r.id as string, subjectId: r.subjectId as string, channel: r.channel as string, tags: [...(tags as string[])], at, transactional };
  if (r.campaignId !== undefined) out.campaignId = r.campaignId as string;
  if (r.offerId !== undefined) out.offerId = r.offerId as string;
  if (r.idempotencyKey !== undefined) out.idempotencyKey = r.idempotencyKey as string;
  return out;
}

/**
 * The key a store files a reservation's outcome under: the contact's `idempotencyKey`, or else its id (in a
 * namespace of its own, since ids and keys are both free strings). Without the fallback, a reservation that
 * timed out could be stored while the caller saw an error, and the caller's retry would count it twice.
 * `explicit` is false for the fallback: only a granted outcome is kept then, so a contact id refused once may
 * still be reserved later (as before the fallback existed). Internal to the stores (not exported by the entry):
 * `reservationKey({ id: 'c1' })` is `{ key: '\u001fid\u001fc1', explicit: false }`.
 */
export function reservationKey(contact: { readonly id: string; readonly idempotencyKey?: string | undefined }): { key: string; explicit: boolean } {
  // Ids and keys never hold control characters, so the \x1f-wrapped form cannot equal an explicit key.
  return contact.idempotencyKey !== undefined ? { key: contact.idempotencyKey, explicit: true } : { key: `\u001fid\u001f${contact.id}`, explicit: false };
}
