/** The JourneyStore implementations the runner guarantees are tested on (real servers where they exist). */
import type { Implementation } from '../../src/testing/harness.js';
import type { JourneyStore } from '../../src/journeys/store.js';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { RedisJourneyStore } from '../../src/adapters/redis/journeys.js';
import { PostgresJourneyStore } from '../../src/adapters/postgres/journeys.js';
import { noRedis, uniquePrefix } from '../fixtures/redis.js';
import { sharedEngines } from '../fixtures/shared-engines.js';

const engines = sharedEngines();
let tables = 0;

export const journeyStores: Array<Implementation<JourneyStore>> = [
  { name: 'memory', create: () => new MemoryJourneyStore() },
  {
    name: 'redis',
    skip: noRedis,
    create: () => {
      const redis = engines.redis();
      return new RedisJourneyStore(redis, { prefix: uniquePrefix('jr'), dueShards: 2 });
    },
  },
  {
    name: 'postgres (PGlite)',
    create: async () => {
      const store = new PostgresJourneyStore(await engines.pglite(), { prefix: `journey_r${++tables}` });
      await store.migrate();
      return store;
    },
  },
];
