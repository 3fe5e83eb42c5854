import { reason, type Reason } from '../core/explain.js';
import type { ContactRecord } from '../core/records.js';
import type { RankedOffer } from '../arbitration/arbitrate.js';
import { capacitySpecOf, type CapacityReservation } from '../arbitration/store.js';
import type { Reservation } from '../capping/store.js';
import { isCrossChannelError, inputError, quoted, type CrossChannelError } from '../core/errors.js';
import type { DecideConfig } from './config.js';
import { expectAnswer, expectConsumed, expectReservation } from './answers.js';
import { storeError, withDeadline } from './deadline.js';
import type { DecideRequest } from './request.js';
import type { DecideReasonCode } from './errors.js';
import type { DecideStores } from './stores.js';

/**
 * The reservation stage: the only write of a decision. Global offer capacity is consumed first (it can be
 * given back), then the contact is reserved atomically against the caps in the contact-history store — the
 * commit point. A refusal or a failure after the capacity was taken gives it back.
 */

/**
 * The id — and idempotency key — of the contact a request reserves for slot `rank` at its `attempt`-th try
 * (stable, so a retry of the request makes the same attempts under the same keys). The first try of a slot is
 * `${requestId}#${rank}`; when the store refuses it, the next ranked offer is tried as attempt 2
 * (`${requestId}#${rank}.2`), and so on: each attempt has its own key, so the store never answers one offer's
 * attempt with another's outcome.
 *
 * @example
 * ```ts
 * contactIdFor('req-1', 1); // 'req-1#1': respond to the first offer of request req-1 with it
 * contactIdFor('req-1', 1, 2); // 'req-1#1.2': slot 1, filled by the fallback after one refusal
 * ```
 */
export function contactIdFor(requestId: string, rank: number, attempt = 1): string {
  if (typeof requestId !== 'string' || !Number.isSafeInteger(rank) || !Number.isSafeInteger(attempt) || attempt < 1) {
    throw inputError('contactIdFor needs a request id, an integer rank and attempt ≥ 1', [typeof requestId !== 'string' ? 'requestId' : Number.isSafeInteger(rank) ? 'attempt' : 'rank']);
  }
  return attempt === 1 ? `${requestId}#${rank}` : `${requestId}#${rank}.${attempt}`;
}

const ATTEMPT_SUFFIX = /^([1-9][0-9]*)(?:\.([2-9]|[1-9][0-9]+))?$/;

/**
 * The slot a contact's idempotency key reserved for `requestId` (see {@link contactIdFor}), or null when the key
 * is not one of that request's. Internal.
 */
export function slotOfKey(requestId: string, key: string | undefined): number | null {
  if (typeof key !== 'string' || key.length <= requestId.length + 1 || !key.startsWith(requestId) || key[requestId.length] !== '#') return null;
  const m = ATTEMPT_SUFFIX.exec(key.slice(requestId.length + 1));
  return m === null ? null : Number(m[1]);
}

/**
 * The error for a request id already used by another decision (another channel, or another offer recorded under
 * the same attempt key): the contacts it reserved are not this request's, and replaying them would report a
 * reservation that was never made. Internal.
 */
export function requestIdConflict(requestId: string, recorded: ContactRecord, channel: string): CrossChannelError<'INPUT_INVALID'> {
  return inputError(`requestId ${quoted(requestId)} was used for another decision (contact ${quoted(recorded.id)} on ${recorded.channel}), not one on ${channel}`, ['requestId'], { contactId: recorded.id, channel: recorded.channel });
}

export function capCandidate(config: DecideConfig, offer: RankedOffer, channel: string): { channel: string; offerId: string; tags: ReadonlyArray<string>; priority: number } {
  return { channel, offerId: offer.offerId, tags: tagsWith(config, offer.offer.tags), priority: config.priority };
}

/** The config's `contactTags`, then `offerTags`, each once in order. */
export function tagsWith(config: DecideConfig, offerTags: ReadonlyArray<string> = []): string[] {
  const tags = new Set<string>(config.contactTags);
  for (const t of offerTags) tags.add(t);
  return [...tags];
}

export function plannedContact(config: DecideConfig, req: DecideRequest, subjectId: string, offer: RankedOffer, rank: number, attempt = 1): ContactRecord {
  const id = contactIdFor(req.requestId, rank, attempt);
  return {
    id,
    subjectId,
    channel: req.channel,
    offerId: offer.offerId,
    tags: tagsWith(config, offer.offer.tags),
    at: req.now,
    transactional: false,
    idempotencyKey: id,
  };
}

/** `keyTaken`: the attempt's key held an earlier call's refusal of another offer: try the same offer at the next attempt. */
export type ReserveOutcome = { ok: true; contact: ContactRecord } | { ok: false; reasons: Reason[]; nextAllowedAt: number | null; keyTaken?: true };

/**
 * Reserves one contact: global offer capacity first (it can be released), then the contact itself, atomically
 * against the caps in the contact-history store (the commit point). If the contact is refused or the store
 * fails, the capacity is given back, so nothing is left half recorded.
 */
export async function reserveOne(
  stores: DecideStores,
  config: DecideConfig,
  req: DecideRequest,
  subjectId: string,
  offer: RankedOffer,
  rank: number,
  attempt: number,
  zone: string,
  timeout: number,
): Promise<ReserveOutcome> {
  const compiled = config.catalogue.byId.get(offer.offerId);
  const contact = plannedContact(config, req, subjectId, offer, rank, attempt);
  let capacity: CapacityReservation | null = null;
  if (stores.offerCapacity && compiled && (compiled.capacity !== null || compiled.budget !== null)) {
    const spec = capacitySpecOf(config.catalogue, offer.offerId);
    const store = stores.offerCapacity;
    // Keyed by the contact's idempotency key: a duplicate of this request in flight replays this attempt's grant
    // or refusal instead of being refused the unit the original took (and recording a fallback offer beside it).
    const r = await withDeadline('reserve', 'offerCapacity.consume', timeout, () => store.consume(offer.offerId, spec, req.now, 1, contact.id));
    expectConsumed(r);
    if (!r.ok) {
      return { ok: false, nextAllowedAt: null, reasons: [reason<DecideReasonCode>('DECIDE_CAPACITY_EXHAUSTED', `Offer ${offer.offerId} has no ${r.exhausted} capacity left`, { detail: { exhausted: r.exhausted } })] };
    }
    // A replayed grant is the unit of the call that took it: only that call gives it back.
    if (!r.replayed) capacity = r.reservation;
  }
  // Whether the contact leaves the unit unused: refused, or (a store ignoring keys) replayed from an earlier
  // attempt that took its own unit, or another decision's. With a keyed unit, this contact replayed is the one the
  // unit was taken for (by this call or a duplicate that replayed its grant).
  const spare = (x: Reservation): boolean => !x.granted || (x.replayed && (capacity?.key !== contact.id || x.contact.offerId !== offer.offerId || x.contact.channel !== req.channel));
  let r: Reservation;
  let pending: Promise<Reservation> | undefined;
  try {
    r = await withDeadline('reserve', 'contacts.reserve', timeout, () =>
      (pending = Promise.resolve(stores.contacts.reserve(contact, config.caps, { now: req.now, timeZone: zone, priority: config.priority }))),
    );
  } catch (e) {
    if (capacity && pending && isCrossChannelError(e, 'STORE_TIMEOUT') && (e.detail as { operation?: string } | undefined)?.operation === 'contacts.reserve') {
      // The reservation did not answer in time but may still land: its outcome is unknown, so the capacity
      // stays consumed until it is known. Released then only if no contact was recorded by it; if one was, a
      // retry of the request replays that contact and consumes nothing. Capacity and contacts agree either way.
      settleLater(stores, capacity, pending, timeout, spare);
    } else if (capacity) await giveBack(stores, capacity, timeout);
    throw e;
  }
  // An answer of the wrong shape leaves the outcome unknown, as a timeout does: the capacity stays consumed (the
  // safe side: under-spend, never over-spend).
  expectReservation(r);
  const { granted, replayed, decision, contact: recorded } = r;
  if (capacity && spare(r)) await giveBack(stores, capacity, timeout);
  if (replayed && (recorded.channel !== contact.channel || (granted && recorded.offerId !== contact.offerId))) {
    // A replay of a contact not recorded under this key is the store's error; one that is, is another decision's
    // contact: this request id was used before for something else.
    expectAnswer(recorded.idempotencyKey === contact.idempotencyKey, 'reserve', 'contacts.reserve', `the contact recorded under key ${contact.idempotencyKey}`, r);
    // A twin of this request in flight together (same key, channel and instant) that ranked another offer first
    // (it read the capacity this call had just taken): its contact is the answer, as a retry's replay would be.
    if (granted && recorded.channel === contact.channel && recorded.at === req.now) return { ok: true, contact: recorded };
    throw requestIdConflict(req.requestId, recorded, req.channel);
  }
  if (!granted) {
    if (replayed && recorded.offerId !== contact.offerId) {
      expectAnswer(recorded.idempotencyKey === contact.idempotencyKey, 'reserve', 'contacts.reserve', `the contact recorded under key ${contact.idempotencyKey}`, r);
      // A retry whose ranking changed since the first call: this attempt's key already holds the refusal of the
      // offer tried then. Replayed as a refusal (the outcome of the key is fixed), and the next attempt goes on.
      const again = reason<DecideReasonCode>('DECIDE_RESERVATION_REFUSED', `Key ${contact.id} holds an earlier refusal of ${recorded.offerId}`);
      return { ok: false, nextAllowedAt: null, reasons: [again], keyTaken: true };
    }
    const refused: Reason = reason<DecideReasonCode>('DECIDE_RESERVATION_REFUSED', `Contact for ${offer.offerId} refused at reservation`, { detail: { contactId: contact.id } });
    return { ok: false, nextAllowedAt: decision.nextAllowedAt, reasons: [refused].concat(decision.reasons) };
  }
  if (config.model && !replayed) config.model.observe(offer.offerId, { presented: 1, accepted: 0 });
  return { ok: true, contact: recorded };
}

async function giveBack(stores: DecideStores, capacity: CapacityReservation, timeout: number): Promise<void> {
  const store = stores.offerCapacity;
  if (!store) return;
  try {
    await withDeadline('reserve', 'offerCapacity.release', timeout, () => store.release(capacity));
  } catch (e) {
    // The contact was not recorded; failing to give capacity back over-counts the offer's usage (safe side)
    // and is reported to the caller rather than hidden.
    throw storeError('reserve', 'offerCapacity.release', e);
  }
}

/**
 * Gives the capacity back once a timed-out reservation settles without having recorded its contact (refused,
 * replayed from an earlier attempt that holds its own unit, or failed with a definite error). Runs detached from the decision: a
 * failure to release leaves the unit counted, the safe side (under-spend, never over-spend).
 */
function settleLater(stores: DecideStores, capacity: CapacityReservation, pending: Promise<Reservation>, timeout: number, spare: (r: Reservation) => boolean): void {
  const release = (): void => void giveBack(stores, capacity, timeout).catch(() => undefined);
  pending.then(
    (r) => {
      if (spare(r)) release();
    },
    // A store's own timeout is an outcome nobody will ever learn (the command may have run): keep the unit.
    (e: unknown) => {
      if (!isCrossChannelError(e, 'STORE_TIMEOUT')) release();
    },
  );
}
