import type { Redis } from 'ioredis';
import { parseStickyAssignment, type AssignmentStore, type StickyAssignment } from '../../experiments/store.js';
import { checkAssignmentIds, compareCodeUnits } from '../store-input.js';
import { redisStoreError } from './errors.js';
import { expectRedisClient, subjectKey, prefixOption } from './keys.js';

/**
 * Options of {@link RedisAssignmentStore}.
 *
 * @example
 * ```ts
 * import type { Redis } from 'ioredis';
 *
 * declare const redis: Redis;
 *
 * new RedisAssignmentStore(redis, { prefix: 'shop' });
 * ```
 */
export interface RedisAssignmentStoreOptions {
  /** Key prefix (default `cc`). One hash per unit: `<prefix>:{<unitId>}:experiments`, field = experiment id. */
  readonly prefix?: string;
}

/**
 * {@link AssignmentStore} on Redis: one hash per unit (Redis Cluster safe: the unit id is the hash tag), one field
 * per experiment; `HSETNX` makes the first writer win across any number of service instances. Failures are
 * `STORE_ERROR` (or `STORE_TIMEOUT`) with the driver's message and `detail` (`RedisStoreErrorDetail`: `retryable`,
 * `slot`, `node`), as from every Redis store.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 *
 * const store = new RedisAssignmentStore(new Redis(), { prefix: 'shop' });
 * await store.get('subject-line', 'person-42');
 * ```
 */
export class RedisAssignmentStore implements AssignmentStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisAssignmentStoreOptions = {},
  ) {
    expectRedisClient(redis, false);
    this.prefix = prefixOption(options, 'cc');
  }

  private key(unitId: string): string {
    return subjectKey(this.prefix, unitId, 'experiments');
  }

  async get(experimentId: string, unitId: string): Promise<StickyAssignment | null> {
    checkAssignmentIds(experimentId, unitId);
    const raw = await this.guard(() => this.redis.hget(this.key(unitId), experimentId));
    return raw === null ? null : decode(raw);
  }

  async putIfAbsent(assignment: StickyAssignment): Promise<{ stored: StickyAssignment; created: boolean }> {
    const a = parseStickyAssignment(assignment);
    const key = this.key(a.unitId);
    const created = (await this.guard(() => this.redis.hsetnx(key, a.experimentId, JSON.stringify(a)))) === 1;
    if (created) return { stored: a, created };
    const raw = await this.guard(() => this.redis.hget(key, a.experimentId));
    return { stored: raw === null ? a : decode(raw), created: false };
  }

  async list(unitId: string): Promise<StickyAssignment[]> {
    checkAssignmentIds('x', unitId);
    const all = await this.guard(() => this.redis.hgetall(this.key(unitId)));
    return Object.keys(all)
      .sort(compareCodeUnits)
      .map((k) => decode(all[k]!));
  }

  async erase(unitId: string): Promise<number> {
    checkAssignmentIds('x', unitId);
    const key = this.key(unitId);
    const [[, n]] = ((await this.guard(() => this.redis.multi().hlen(key).del(key).exec())) ?? [[null, 0]]) as [[unknown, number]];
    return Number(n);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw redisStoreError('Redis assignment store', e);
    }
  }
}

function decode(raw: string): StickyAssignment {
  return parseStickyAssignment(JSON.parse(raw));
}
