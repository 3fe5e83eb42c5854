/** The JourneyStore implementations the runner guarantees are tested on (real servers where they exist). */
import type { Implementation } from '../../src/testing/harness.js';
import type { JourneyStore } from '../../src/journeys/store.js';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';

export const journeyStores: Array<Implementation<JourneyStore>> = [{ name: 'memory', create: () => new MemoryJourneyStore() }];
