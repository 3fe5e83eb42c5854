import { reason, type Reason } from '../core/explain.js';
import { lowerBoundAt, type History } from '../core/records.js';
import type { ArbitrationReasonCode } from './errors.js';
import type { CompiledGuard, CompiledOffer } from './offers.js';
import type { EpochMs } from '../core/time.js';

/**
 * What the shared history says about one offer for one customer, up to `now` (records after `now` are ignored).
 */
export interface OfferHistory {
  /** Presentation times on any channel, ascending. */
  readonly contacts: number[];
  /** Response times and kinds, ascending. */
  readonly responseAt: number[];
  readonly responseKind: string[];
  /** Last `accepted`/`converted` response, `-Infinity` when none. */
  lastAccepted: number;
  /** Last response other than `ignored`, `-Infinity` when none. */
  lastResponse: number;
}

/**
 * Indexes one customer's history by offer id in a single pass over contacts and responses (a response without
 * `offerId` is attributed through its `contactId`). Built once per decision.
 */
export function indexHistory(history: History, now: EpochMs): Map<string, OfferHistory> {
  const out = new Map<string, OfferHistory>();
  const contacts = history.contacts;
  let contactOffer: Map<string, string> | null = null;
  for (let i = 0; i < contacts.length; i++) {
    const c = contacts[i]!;
    if (c.at > now) break;
    if (c.offerId !== undefined) offerEntry(out, c.offerId).contacts.push(c.at);
  }
  const responses = history.responses;
  for (let i = 0; i < responses.length; i++) {
    const r = responses[i]!;
    if (r.at > now) break;
    let offerId = r.offerId;
    if (offerId === undefined && r.contactId !== undefined) {
      if (contactOffer === null) {
        contactOffer = new Map();
        for (const c of contacts) if (c.offerId !== undefined) contactOffer.set(c.id, c.offerId);
      }
      offerId = contactOffer.get(r.contactId);
    }
    if (offerId === undefined) continue;
    const e = offerEntry(out, offerId);
    e.responseAt.push(r.at);
    e.responseKind.push(r.kind);
    if (r.kind === 'accepted' || r.kind === 'converted') e.lastAccepted = r.at;
    if (r.kind !== 'ignored') e.lastResponse = r.at;
  }
  return out;
}

/** The offer's entry in an index being built (a module function, not a closure made per call). */
function offerEntry(out: Map<string, OfferHistory>, id: string): OfferHistory {
  let e = out.get(id);
  if (e === undefined) {
    e = { contacts: [], responseAt: [], responseKind: [], lastAccepted: -Infinity, lastResponse: -Infinity };
    out.set(id, e);
  }
  return e;
}

/**
 * Categories the customer bought at full price within the guard's window, on any channel: from behaviour
 * events and from responses (see `cannibalisationGuardSchema`).
 */
export function guardCategories(guard: CompiledGuard, history: History, now: EpochMs): Set<string> {
  const out = new Set<string>();
  const from = now - guard.window;
  const events = history.events;
  for (let i = lowerBoundAt(events, from); i < events.length; i++) {
    const e = events[i]!;
    if (e.at > now) break;
    if (!guard.eventTypes.has(e.type)) continue;
    let match = true;
    for (let w = 0; w < guard.where.length && match; w++) {
      const [k, v] = guard.where[w]!;
      match = e.properties[k] === v;
    }
    if (!match) continue;
    const cat = e.properties[guard.categoryProperty];
    if (typeof cat === 'string') out.add(cat);
    else if (Array.isArray(cat)) for (const c of cat) if (typeof c === 'string') out.add(c);
  }
  const responses = history.responses;
  const prefix = guard.categoryTagPrefix;
  for (let i = lowerBoundAt(responses, from); i < responses.length; i++) {
    const r = responses[i]!;
    if (r.at > now) break;
    if (!guard.responseKinds.has(r.kind)) continue;
    let match = true;
    for (let t = 0; t < guard.requireTags.length && match; t++) match = r.tags.includes(guard.requireTags[t]!);
    if (!match) continue;
    for (const tag of r.tags) if (tag.startsWith(prefix) && tag.length > prefix.length) out.add(tag.slice(prefix.length));
  }
  return out;
}

/**
 * The per-customer contact policy of an offer against its history: acceptance suppression, refusal pause,
 * presentation limit, presentations without response — in that order. Returns the excluding reason or `null`.
 */
export function checkContactPolicy(offer: CompiledOffer, h: OfferHistory | undefined, now: EpochMs): Reason<ArbitrationReasonCode> | null {
  const p = offer.policy;
  if (p === null || h === undefined) return null;
  if (p.acceptFor >= 0 && h.lastAccepted > -Infinity && now < h.lastAccepted + p.acceptFor) {
    return reason('OFFER_SUPPRESSED_ACCEPTED', p.acceptFor === Infinity ? 'Already accepted' : 'Recently accepted', {
      rule: 'afterAcceptance',
      detail: { acceptedAt: h.lastAccepted, until: h.lastAccepted + p.acceptFor },
    });
  }
  if (p.refusalCount > 0) {
    const until = refusalPauseUntil(h, p.refusalCount, p.refusalWindow, p.refusalFor, p.refusalKinds, now);
    if (until > now) {
      return reason('OFFER_SUPPRESSED_REFUSALS', `${p.refusalCount} refusals within the window: paused`, {
        rule: 'afterRefusals',
        detail: { count: p.refusalCount, until },
      });
    }
  }
  if (p.maxCount > 0) {
    const c = h.contacts;
    const from = now - p.maxWindow;
    // Contacts are sorted: count those inside the trailing window by scanning back from the newest.
    let n = 0;
    let j = c.length - 1;
    while (j >= 0 && c[j]! > from) {
      n++;
      j--;
    }
    if (n >= p.maxCount) {
      const oldestCounted = c[c.length - p.maxCount]!;
      return reason('OFFER_SUPPRESSED_PRESENTATIONS', `Presented ${n} times (limit ${p.maxCount})`, {
        rule: 'maxPresentations',
        detail: { count: n, limit: p.maxCount, until: oldestCounted + p.maxWindow },
      });
    }
  }
  if (p.silentCount > 0) {
    const c = h.contacts;
    let unanswered = 0;
    let j = c.length - 1;
    while (j >= 0 && c[j]! > h.lastResponse) {
      unanswered++;
      j--;
    }
    if (unanswered >= p.silentCount) {
      const nth = c[j + p.silentCount]!;
      const until = nth + p.silentFor;
      if (now < until) {
        return reason('OFFER_SUPPRESSED_NO_RESPONSE', `${unanswered} presentations without response`, {
          rule: 'withoutResponse',
          detail: { count: unanswered, limit: p.silentCount, until },
        });
      }
    }
  }
  return null;
}

/**
 * End of the refusal pause, or `-Infinity`: for each refusal r_j such that the `count` refusals ending at r_j
 * fit inside `window`, the offer is paused until r_j + `pause`; the latest such r_j decides.
 */
function refusalPauseUntil(h: OfferHistory, count: number, window: number, pause: number, kinds: ReadonlyArray<string>, now: EpochMs): number {
  const at = h.responseAt;
  const kind = h.responseKind;
  // Walk refusals newest first, keeping the last `count` refusal times in a small ring.
  const ring: number[] = [];
  for (let j = at.length - 1; j >= 0; j--) {
    if (!kinds.includes(kind[j]!)) continue;
    ring.push(at[j]!);
    if (ring.length >= count) {
      const newest = ring[ring.length - count]!;
      const oldest = ring[ring.length - 1]!;
      if (newest + pause <= now) return -Infinity;
      if (newest - oldest < window) return newest + pause;
    }
  }
  return -Infinity;
}

/**
 * Offers listed as prerequisites that the customer has not accepted (nor converted on) by `now`.
 */
export function missingPrerequisites(offer: CompiledOffer, index: ReadonlyMap<string, OfferHistory>): string[] {
  const missing: string[] = [];
  for (const p of offer.prerequisites) {
    const h = index.get(p);
    if (h === undefined || h.lastAccepted === -Infinity) missing.push(p);
  }
  return missing;
}
