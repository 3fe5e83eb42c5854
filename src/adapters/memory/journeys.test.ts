import { runJourneyStoreConformance } from '../../testing/journey-store.js';
import { MemoryJourneyStore } from './journeys.js';

runJourneyStoreConformance([{ name: 'memory', create: () => new MemoryJourneyStore() }]);
