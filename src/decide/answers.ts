/**
 * What `decide` takes from a store, checked where the answer arrives. A store of the caller's own (or one
 * returning what its database held) may answer with the wrong shape: `undefined` for a profile id, `null` for a
 * list. Unchecked, that either went on as data (a decision for a person whose id is `5`) or failed later, in a
 * pure stage, as a `TypeError` that named neither the store nor the operation. Each answer's shape is checked
 * here in O(1) and a wrong one is `STORE_ERROR` naming the stage and the operation, like a store that failed;
 * the records inside the lists are checked by the modules that read them (with their paths). Internal: not
 * exported from the entries.
 */
import { expectStoreAnswer, isRecord } from '../core/guards.js';
import type { DecideStage } from './trace.js';

/** Throws `STORE_ERROR` (detail `{ stage, operation }`) unless `ok`: `operation` answered `value`, not `expected`. */
export function expectAnswer(ok: boolean, stage: DecideStage | 'record', operation: string, expected: string, value: unknown): void {
  // The detail and the text are built only for a wrong answer: this runs per contact record on every decision.
  if (!ok) expectStoreAnswer(ok, operation, expected, value, { stage, operation }, ` (stage ${stage})`);
}

/** A profile id or `null` (no profile), as `identity.resolve` answers. */
export function expectProfileId(value: unknown, stage: DecideStage | 'record'): string | null {
  expectAnswer(value === null || typeof value === 'string', stage, 'identity.resolve', 'a profile id (string) or null', value);
  return value as string | null;
}

/**
 * The reads of one person that a decision (or a merge's re-keying) makes: events, contact history and consent
 * events, each a list, and the profile's attributes, an object or nothing.
 */
export function expectReads(stage: DecideStage, events: unknown, history: unknown, consent: unknown, profile?: unknown): void {
  expectAnswer(Array.isArray(events), stage, 'events.read', 'a list of events', events);
  const h = history as { contacts?: unknown; responses?: unknown } | null;
  expectAnswer(isRecord(h) && Array.isArray(h.contacts) && Array.isArray(h.responses), stage, 'contacts.history', '{ contacts: [], responses: [] }', history);
  expectAnswer(Array.isArray(consent), stage, 'consent.events', 'a list of consent events', consent);
  expectAnswer(profile === null || profile === undefined || isRecord(profile), stage, 'profiles.get', 'an object or null', profile);
}

const isIdentifier = (v: unknown): boolean => isRecord(v) && typeof v.type === 'string' && typeof v.value === 'string';

/**
 * What `identity.addObservations` reports: the lists `changes` (a profile id and the ids it replaced), `invalid`
 * (an index and a reason) and `refused` (a reason naming the identifiers), each item as `decide` reads it. The
 * lists are those of one observation, so reading every item costs little.
 */
export function expectStitchReport(report: unknown): void {
  const r = report as { changes?: unknown; invalid?: unknown; refused?: unknown } | null;
  const ok =
    isRecord(r) &&
    Array.isArray(r.changes) &&
    r.changes.every((c) => isRecord(c) && typeof c.profileId === 'string' && Array.isArray(c.previousIds) && c.previousIds.every((id) => typeof id === 'string')) &&
    Array.isArray(r.invalid) &&
    r.invalid.every((x) => isRecord(x) && isRecord(x.reason) && typeof x.reason.code === 'string') &&
    Array.isArray(r.refused) &&
    r.refused.every((x) => isRecord(x) && typeof x.code === 'string' && typeof x.message === 'string' && isIdentifier(x.from) && (x.to === undefined || isIdentifier(x.to)));
  expectAnswer(ok, 'identity', 'identity.addObservations', 'a report { changes, invalid, refused } of profile changes, invalid identifiers and refused links', report);
}

/** One contact record of a history, as the replay check reads it before the modules do. */
export function expectContact(c: unknown): void {
  expectAnswer(isRecord(c), 'load', 'contacts.history', 'contact records (objects)', c);
}

/** A reservation's outcome: `granted` (a boolean), the cap `decision` with its reasons, and the `contact`. */
export function expectReservation(r: unknown): void {
  const x = r as { granted?: unknown; decision?: { reasons?: unknown } | null; contact?: unknown } | null;
  expectAnswer(
    isRecord(x) && typeof x.granted === 'boolean' && isRecord(x.decision) && Array.isArray(x.decision.reasons) && isRecord(x.contact),
    'reserve',
    'contacts.reserve',
    'a reservation { granted, decision, contact, replayed }',
    r,
  );
}

/** A capacity store's `consume` outcome: `ok`, and a reservation when granted. */
export function expectConsumed(r: unknown): void {
  const x = r as { ok?: unknown; reservation?: unknown } | null;
  expectAnswer(isRecord(x) && typeof x.ok === 'boolean' && (!x.ok || isRecord(x.reservation)), 'reserve', 'offerCapacity.consume', '{ ok, reservation | exhausted }', r);
}

/** A capacity store's `usage`: a `Map` from offer id to usage. */
export function expectUsage(usage: unknown): void {
  expectAnswer(usage instanceof Map, 'arbitration', 'offerCapacity.usage', 'a Map', usage);
}
