import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore, MemoryOfferCapacityStore } from '../../src/adapters/memory/index.js';
import type { DecideStores } from '../../src/decide/index.js';

/** Fresh memory stores for one test (French numbers without a country code are accepted). */
export function memoryStores(): DecideStores & { offerCapacity: MemoryOfferCapacityStore } {
  return {
    identity: new MemoryIdentityStore({ rules: { normalization: { defaultCountry: 'FR' } }, erasureSalt: 'test' }),
    consent: new MemoryConsentStore({ erasureSalt: 'test' }),
    contacts: new MemoryContactHistoryStore(),
    events: new MemoryEventStore(),
    offerCapacity: new MemoryOfferCapacityStore(),
  };
}
