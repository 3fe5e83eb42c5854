import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { runJourneyStoreConformance } from '../../src/testing/journey-store.js';

runJourneyStoreConformance([{ name: 'memory', create: () => new MemoryJourneyStore() }]);
