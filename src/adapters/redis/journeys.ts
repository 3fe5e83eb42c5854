import type { Redis } from 'ioredis';
import { CrossChannelError } from '../../core/errors.js';
import { fnv1a } from '../../core/random.js';
import type { EpochMs } from '../../core/time.js';
import type { JourneyInstance } from '../../journeys/instance.js';
import {
  checkJourneyInput,
  checkStoredInstance,
  type ClaimOptions,
  type EnrolResult,
  type EntryPlan,
  type JourneyClaim,
  type JourneyInput,
  type JourneyStore,
  validateClaim,
} from '../../journeys/store.js';
import { CAP, CLAIM_ONE, CLAIM_SHARD, COMPLETE, DELIVER, ENROL, REPLACE } from './journeys-lua.js';
import { subjectKey, prefixOption } from './keys.js';

/**
 * Options of {@link RedisJourneyStore}.
 *
 * @example
 * ```ts
 * const options: RedisJourneyStoreOptions = { prefix: 'shop', dueShards: 4 };
 * ```
 */
export interface RedisJourneyStoreOptions {
  /** Key prefix (default `cc`). */
  readonly prefix?: string;
  /** Number of due sorted sets (default 1). More shards spread the timers over Cluster slots. */
  readonly dueShards?: number;
}

/**
 * {@link JourneyStore} on Redis. A person's instances, inboxes and entry records share the person's hash tag;
 * due times live in sorted sets (`<prefix>:{jdue:<n>}:due`, member `<subject>\n<instance>`, score = due time).
 * A claim moves a member's score to its lease end (so a crashed runner's instances come back when the lease
 * expires) and stamps a token in the instance hash; `complete` only writes with that token inside the lease.
 * Every Lua script touches one hash tag, so the store runs on Redis Cluster.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 *
 * import type { Journey } from 'crosschannel/journeys';
 * declare const journey: Journey;
 * const store = new RedisJourneyStore(new Redis(), { prefix: 'shop' });
 * const now = Date.now();
 * await store.enrol(startInstance(journey, 'p-42', now), entryPlan(journey, now));
 * ```
 */
export class RedisJourneyStore implements JourneyStore {
  private readonly prefix: string;
  private readonly shards: number;
  private readonly shas = new Map<string, string>();
  private tokens = 0;
  private nextShard = 0;

  constructor(
    private readonly redis: Redis,
    options: RedisJourneyStoreOptions = {},
  ) {
    this.prefix = prefixOption(options, 'cc');
    this.shards = options.dueShards ?? 1;
    if (!Number.isInteger(this.shards) || this.shards < 1 || this.shards > 1024) throw new CrossChannelError('CONFIG_INVALID', 'dueShards must be an integer in 1..1024', { path: ['dueShards'] });
  }

  private inst(subjectId: string, id: string): string {
    return subjectKey(this.prefix, subjectId, `j:${id}`);
  }
  private inbox(subjectId: string, id: string): string {
    return subjectKey(this.prefix, subjectId, `jin:${id}`);
  }
  private seen(subjectId: string, id: string): string {
    return subjectKey(this.prefix, subjectId, `jseen:${id}`);
  }
  private person(subjectId: string, name: 'jact' | 'jent' | 'jall'): string {
    return subjectKey(this.prefix, subjectId, name);
  }
  private due(subjectId: string): string {
    return this.shardKey(this.shards === 1 ? 0 : fnv1a(subjectId) % this.shards);
  }
  private shardKey(n: number): string {
    return subjectKey(this.prefix, `jdue:${n}`, 'due');
  }
  private journeyKey(journeyId: string, name: 'jcap' | 'jidx'): string {
    return subjectKey(this.prefix, `journey:${journeyId}`, name);
  }
  private get subjects(): string {
    return subjectKey(this.prefix, 'journeys', 'jsub');
  }

  async enrol(instance: JourneyInstance, plan: EntryPlan): Promise<EnrolResult> {
    checkStoredInstance(instance);
    const { id, subjectId, journeyId } = instance;
    const member = `${subjectId}\n${id}`;
    const active = instance.status === 'active' && instance.wakeAt !== null;
    // Scheduled first: a crash after this leaves a due member without an instance, dropped at claim time.
    const added = active ? ((await this.cmd(() => this.redis.zadd(this.due(subjectId), 'NX', instance.wakeAt!, member))) as number) : 0;
    const undo = async (): Promise<void> => {
      if (added === 1) await this.cmd(() => this.redis.zrem(this.due(subjectId), member));
    };
    if (plan.cap) {
      const ok = (await this.run(CAP, [this.journeyKey(journeyId, 'jcap')], [plan.cap.since === null ? '-inf' : String(plan.cap.since), String(plan.cap.max), String(instance.enteredAt), id])) as number;
      if (ok !== 1) {
        await undo();
        return { enrolled: false, reason: 'cap' };
      }
    }
    const r = (await this.run(
      ENROL,
      [this.inst(subjectId, id), this.person(subjectId, 'jact'), this.person(subjectId, 'jent'), this.person(subjectId, 'jall')],
      [journeyId, id, JSON.stringify(instance), String(instance.enteredAt), plan.reentry, String(plan.enteredBefore ?? '-inf'), instance.status],
    )) as [number, string, string];
    if (r[0] !== 1) {
      await undo();
      if (plan.cap) await this.cmd(() => this.redis.zrem(this.journeyKey(journeyId, 'jcap'), id));
      const reason = r[1] as 'active' | 'no_reentry' | 'cooldown';
      return reason === 'active' ? { enrolled: false, reason, activeId: r[2] } : { enrolled: false, reason };
    }
    await this.cmd(() => this.redis.pipeline().hset(this.subjects, id, subjectId).sadd(this.journeyKey(journeyId, 'jidx'), id).exec());
    return { enrolled: true };
  }

  async get(instanceId: string): Promise<JourneyInstance | null> {
    if (typeof instanceId !== 'string') return null;
    const subjectId = await this.cmd(() => this.redis.hget(this.subjects, instanceId));
    if (subjectId === null) return null;
    return this.read(subjectId, instanceId);
  }

  private async read(subjectId: string, instanceId: string): Promise<JourneyInstance | null> {
    const s = await this.cmd(() => this.redis.hget(this.inst(subjectId, instanceId), 's'));
    return s === null ? null : (JSON.parse(s) as JourneyInstance);
  }

  async activeFor(journeyId: string, subjectId: string): Promise<JourneyInstance | null> {
    // As `get`: ids that are not strings name no instance (ioredis would stringify them, and an object's throwing
    // `toString` escaped as an unhandled rejection).
    if (typeof journeyId !== 'string' || typeof subjectId !== 'string') return null;
    const id = await this.cmd(() => this.redis.hget(this.person(subjectId, 'jact'), journeyId));
    return id === null ? null : this.read(subjectId, id);
  }

  async deliver(instanceId: string, input: JourneyInput, now: EpochMs): Promise<boolean> {
    checkJourneyInput(input);
    const subjectId = 'event' in input ? input.event.subjectId : 'response' in input ? input.response.subjectId : input.reply.subjectId;
    const ok = (await this.run(DELIVER, [this.inst(subjectId, instanceId), this.inbox(subjectId, instanceId), this.seen(subjectId, instanceId)], [input.id, JSON.stringify(input)])) as number;
    if (ok !== 1) return false;
    // LT: never postpone; a leased instance keeps its lease end unless this is earlier (its claim will refuse and restore it).
    await this.cmd(() => this.redis.zadd(this.due(subjectId), 'LT', now, `${subjectId}\n${instanceId}`));
    return true;
  }

  async claimDue(now: EpochMs, options: ClaimOptions): Promise<JourneyClaim[]> {
    validateClaim(now, options);
    const leaseUntil = now + options.leaseMs;
    const out: JourneyClaim[] = [];
    for (let k = 0; k < this.shards && out.length < options.limit; k++) {
      const shard = (this.nextShard + k) % this.shards;
      const members = (await this.run(CLAIM_SHARD, [this.shardKey(shard)], [String(now), String(options.limit - out.length), String(leaseUntil)])) as string[];
      const claims = await Promise.all(members.map((m) => this.claimOne(m, shard, now, leaseUntil, options.owner)));
      for (const c of claims) if (c !== null) out.push(c);
    }
    this.nextShard = (this.nextShard + 1) % this.shards;
    return out;
  }

  private async claimOne(member: string, shard: number, now: EpochMs, leaseUntil: EpochMs, owner: string): Promise<JourneyClaim | null> {
    const nl = member.indexOf('\n');
    const subjectId = member.slice(0, nl);
    const id = member.slice(nl + 1);
    const token = `${owner}:${process.pid}:${++this.tokens}`;
    const r = (await this.run(CLAIM_ONE, [this.inst(subjectId, id), this.inbox(subjectId, id)], [String(now), token, String(leaseUntil)])) as [number, string?, string[]?];
    if (r[0] === 0) {
      await this.cmd(() => this.redis.zrem(this.shardKey(shard), member));
      return null;
    }
    if (r[0] === 2) {
      // Someone else holds it (an inbox delivery made it look due): put the lease end back.
      await this.cmd(() => this.redis.zadd(this.shardKey(shard), 'XX', r[1]!, member));
      return null;
    }
    return { instance: JSON.parse(r[1]!) as JourneyInstance, inbox: (r[2] ?? []).map((x) => JSON.parse(x) as JourneyInput), token, leaseUntil };
  }

  private async schedule(subjectId: string, instanceId: string, due: string, now: EpochMs): Promise<void> {
    const key = this.due(subjectId);
    const member = `${subjectId}\n${instanceId}`;
    if (due === '') {
      await this.cmd(() => this.redis.zrem(key, member));
      return;
    }
    // Then look at the inbox: a delivery that raced with this write must not wait for the wake-up.
    const res = await this.cmd(() => this.redis.pipeline().zadd(key, due, member).llen(this.inbox(subjectId, instanceId)).exec());
    const len = res?.[1]?.[1] as number | undefined;
    if (len !== undefined && len > 0) await this.cmd(() => this.redis.zadd(key, 'LT', now, member));
  }

  async complete(claim: JourneyClaim, instance: JourneyInstance, consumed: number, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    const { subjectId, id, journeyId } = claim.instance;
    if (instance.id !== id) return false;
    const r = (await this.run(
      COMPLETE,
      [this.inst(subjectId, id), this.inbox(subjectId, id), this.person(subjectId, 'jact')],
      [claim.token, String(now), JSON.stringify(instance), String(consumed), instance.status, journeyId, id, instance.wakeAt === null ? '' : String(instance.wakeAt)],
    )) as [number, string?];
    if (r[0] !== 1) return false;
    await this.schedule(subjectId, id, r[1]!, now);
    return true;
  }

  async replace(instance: JourneyInstance, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    const { subjectId, id, journeyId } = instance;
    const r = (await this.run(
      REPLACE,
      [this.inst(subjectId, id), this.person(subjectId, 'jact'), this.inbox(subjectId, id)],
      [String(now), JSON.stringify(instance), instance.status, journeyId, id, instance.wakeAt === null ? '' : String(instance.wakeAt)],
    )) as string | null;
    if (r === null) return false;
    await this.schedule(subjectId, id, r, now);
    return true;
  }

  async *list(journeyId: string, version?: number): AsyncIterable<JourneyInstance> {
    const ids = await this.cmd(() => this.redis.smembers(this.journeyKey(journeyId, 'jidx')));
    for (const id of ids) {
      const inst = await this.get(id);
      if (inst && inst.journeyId === journeyId && (version === undefined || inst.version === version)) yield inst;
    }
  }

  async nextDueAt(): Promise<EpochMs | null> {
    let best: number | null = null;
    for (let k = 0; k < this.shards; k++) {
      const r = await this.cmd(() => this.redis.zrange(this.shardKey(k), 0, 0, 'WITHSCORES'));
      if (r.length === 2) {
        const t = Number(r[1]);
        if (best === null || t < best) best = t;
      }
    }
    return best;
  }

  async erase(subjectId: string): Promise<void> {
    const ids = await this.cmd(() => this.redis.smembers(this.person(subjectId, 'jall')));
    for (const id of ids) {
      const inst = await this.read(subjectId, id);
      const p = this.redis.pipeline().del(this.inst(subjectId, id), this.inbox(subjectId, id), this.seen(subjectId, id)).zrem(this.due(subjectId), `${subjectId}\n${id}`).hdel(this.subjects, id);
      if (inst) p.srem(this.journeyKey(inst.journeyId, 'jidx'), id).zrem(this.journeyKey(inst.journeyId, 'jcap'), id);
      await this.cmd(() => p.exec());
    }
    await this.cmd(() => this.redis.del(this.person(subjectId, 'jact'), this.person(subjectId, 'jent'), this.person(subjectId, 'jall')));
  }

  private async cmd<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw storeError(e);
    }
  }

  private async run(script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      const sha = this.shas.get(script);
      if (sha !== undefined) {
        try {
          return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
        } catch (e) {
          if (!(e instanceof Error) || !e.message.includes('NOSCRIPT')) throw e;
        }
      }
      const loaded = (await this.redis.script('LOAD', script)) as string;
      this.shas.set(script, loaded);
      return await this.redis.evalsha(loaded, keys.length, ...keys, ...args);
    } catch (e) {
      throw storeError(e);
    }
  }
}

function storeError(e: unknown): CrossChannelError {
  if (e instanceof CrossChannelError) return e;
  return new CrossChannelError('STORE_ERROR', `Redis journey store failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
