/** The stores one decision reads and writes: the ports `decide` is wired to. */
import type { ContactHistoryStore } from '../capping/store.js';
import type { OfferCapacityStore } from '../arbitration/store.js';
import type { ConsentStore } from '../consent/store.js';
import type { IdentityStore } from '../identity/store.js';
import type { EventStore } from '../segments/store.js';

/**
 * Profile attributes for segment rules (country, signed-up date, tier…), when a service keeps them somewhere.
 * Optional: without it, segments see the request's `context` and the identifiers' types.
 *
 * @example
 * ```ts
 * const crm = new Map<string, Record<string, unknown>>([['p_1', { tier: 'gold', country: 'FR' }]]);
 * const profiles: ProfileSource = { get: async (id) => crm.get(id) ?? null };
 * ```
 */
export interface ProfileSource {
  get(subjectId: string): Promise<Readonly<Record<string, unknown>> | null>;
}

/**
 * The stores one decision reads and writes. `contacts` is the shared contact history (contacts + responses,
 * atomic `reserve`); `offerCapacity` is needed only when offers have global capacities or budgets.
 *
 * @example
 * ```ts
 * const stores: DecideStores = {
 *   identity: new MemoryIdentityStore(),
 *   consent: new MemoryConsentStore({ erasureSalt: 'pepper' }),
 *   contacts: new MemoryContactHistoryStore(),
 *   events: new MemoryEventStore(),
 * };
 * ```
 */
export interface DecideStores {
  readonly identity: IdentityStore;
  readonly consent: ConsentStore;
  readonly contacts: ContactHistoryStore;
  readonly events: EventStore;
  readonly offerCapacity?: OfferCapacityStore;
  readonly profiles?: ProfileSource;
}
