import type { Cluster, Redis } from 'ioredis';
import { CrossChannelError } from '../../core/errors.js';
import { fnv1a } from '../../core/random.js';
import type { EpochMs } from '../../core/time.js';
import type { JourneyInstance } from '../../journeys/instance.js';
import {
  checkJourneyInput,
  checkStoredInstance,
  deliverySubjectError,
  inputSubject,
  replaceConflictError,
  checkReplaceIdentity,
  type ClaimOptions,
  type EnrolResult,
  type EntryPlan,
  type JourneyClaim,
  type JourneyInput,
  type JourneyStore,
  validateClaim,
  validateCompletion,
  validateDelivery,
  validateEntryPlan,
  validateReplacement,
} from '../../journeys/store.js';
import { CAP, CLAIM_MANY, CLAIM_ONE, CLAIM_SHARD, COMPLETE, COMPLETE_MANY, DELIVER, DELIVER_MANY, ENROL, ENROL_MANY, REGISTER, REPLACE } from './journeys-lua.js';
import { redisStoreError } from './errors.js';
import { expectRedisClient, subjectKey, prefixOption } from './keys.js';
import { batchingOption, ScriptBatch } from './batch.js';

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
  /**
   * One script call for a whole batch of claims (one more choosing them across every due shard), and one for the
   * enrolments or completions issued together (default: on for a standalone client, off for a Cluster, where a script
   * may only touch one hash tag). Turn it off behind a proxy that routes scripts by key (Envoy, Twemproxy, a managed
   * cluster's proxy).
   */
  readonly batching?: boolean;
}

type Client = Redis | Cluster;
type Scripted = Client & Record<string, (...args: Array<string | number>) => Promise<unknown>>;

/** The scripts, by the command name each is defined under on the client. */
const SCRIPTS = {
  ccJourneyEnrol: ENROL,
  ccJourneyEnrolMany: ENROL_MANY,
  ccJourneyCap: CAP,
  ccJourneyRegister: REGISTER,
  ccJourneyClaimShard: CLAIM_SHARD,
  ccJourneyClaimOne: CLAIM_ONE,
  ccJourneyClaimMany: CLAIM_MANY,
  ccJourneyComplete: COMPLETE,
  ccJourneyCompleteMany: COMPLETE_MANY,
  ccJourneyDeliver: DELIVER,
  ccJourneyDeliverMany: DELIVER_MANY,
  ccJourneyReplace: REPLACE,
} as const;
type ScriptName = keyof typeof SCRIPTS;

/**
 * Items per batched script call: bounds how long one call holds the server (≈ 5–15 µs an item), and a full batch
 * is sent at once, so the server works on it while the next fills (enrolment measured faster at 128 than at 256, draining no slower than at 64).
 */
const BATCH = 128;

/**
 * {@link JourneyStore} on Redis. A person's instances, inboxes and entry records share the person's hash tag;
 * due times live in sorted sets (`<prefix>:{jdue:<n>}:due`, score = due time, member `<instance>\n<subject>` with the
 * id's characters remapped so that members of one score are in the ids' UTF-16 order): claims go in due time, then
 * instance id, across every shard (with `batching`, one script merges the shards and moves the members it chooses to
 * their lease end; on a Cluster the shards are read apart and merged here).
 * A claim moves a member's score to its lease end (so a crashed runner's instances come back when the lease
 * expires) and stamps a token in the instance hash; `complete` only writes with that token inside the lease.
 * On Redis Cluster every Lua script touches one hash tag and commands of different tags are sent apart. On a
 * standalone server (`batching`, on by default there) a batch of claims is two script calls, and the enrolments and
 * the completions issued together are one call each, every item doing what the one-tag scripts do.
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
  private readonly redis: Scripted;
  private readonly batching: boolean;
  private tokens = 0;
  private readonly enrols = new ScriptBatch((keys, args) => this.run('ccJourneyEnrolMany', keys, args as string[]), BATCH, (m) => storeError(new Error(m)));
  private readonly completions = new ScriptBatch((keys, args) => this.run('ccJourneyCompleteMany', keys, args as string[]), BATCH, (m) => storeError(new Error(m)));
  private readonly deliveries = new ScriptBatch((keys, args) => this.run('ccJourneyDeliverMany', keys, args as string[]), BATCH, (m) => storeError(new Error(m)));

  constructor(redis: Client, options: RedisJourneyStoreOptions = {}) {
    expectRedisClient(redis, true);
    this.prefix = prefixOption(options, 'cc');
    this.shards = options.dueShards ?? 1;
    if (!Number.isInteger(this.shards) || this.shards < 1 || this.shards > 1024) throw new CrossChannelError('CONFIG_INVALID', 'dueShards must be an integer in 1..1024', { path: ['dueShards'] });
    this.batching = batchingOption(redis, options);
    const scripted = redis as Scripted;
    // defineCommand sends EVALSHA and falls back to EVAL when a node does not have the script (after a SCRIPT
    // FLUSH, on a fresh or failed-over Cluster node); the first argument of each call is its key count.
    if (typeof scripted.ccJourneyRegister !== 'function') {
      for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua });
    }
    this.redis = scripted;
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
    validateEntryPlan(plan);
    const { id, subjectId, journeyId } = instance;
    const member = dueMember(subjectId, id);
    const active = instance.status === 'active' && instance.wakeAt !== null;
    const keys = [this.inst(subjectId, id), this.person(subjectId, 'jact'), this.person(subjectId, 'jent'), this.person(subjectId, 'jall'), this.due(subjectId), this.journeyKey(journeyId, 'jcap'), this.subjects, this.journeyKey(journeyId, 'jidx')];
    const [, , , , due, capKey, , indexKey] = keys as [string, string, string, string, string, string, string, string];
    const cap = plan.cap;
    const since = cap?.since ?? '-inf';
    const args = [journeyId, id, JSON.stringify(instance), instance.enteredAt, plan.reentry, plan.enteredBefore ?? '-inf', instance.status];
    if (this.batching) {
      // One script per batch: per item the entry rules, then the cap, then every write, atomically.
      return enrolled((await this.enrols.add(keys, [...args, member, active ? instance.wakeAt! : '', cap ? since : '', cap?.max ?? '', subjectId])) as [number, string, string]);
    }
    // One hash tag per script (a Cluster, or a proxy that routes scripts by key): no script or MULTI may span the registry,
    // the person, the due shard, the journey's index and its cap, so the steps go apart. A step that refuses or fails undoes
    // the writes before it (a failure is thrown after). A crash between steps leaves only what the store ignores or the next
    // try of the enrolment takes over: a registered id (ours: 0 below), a due member (dropped at claim time), an index entry
    // (list() skips it), a cap entry (taken over at step 4).
    const undo: Array<() => Promise<unknown>> = [];
    const undone = async <T>(r: T): Promise<T> => (await Promise.allSettled(undo.map((f) => f())), r);
    try {
      // 1. The id registered to the person (instance ids are unique across people).
      const registered = (await this.run('ccJourneyRegister', [this.subjects], [id, subjectId])) as number;
      if (registered === 1) undo.push(() => this.redis.hdel(this.subjects, id));
      const personKeys = keys.slice(0, 4);
      const personArgs = (mode: 'check' | 'write') => [...args, mode, registered === -1 ? '1' : ''];
      // 2. The entry rules (active, re-entry) before the cap, as every store answers them.
      const checked = (await this.run('ccJourneyEnrol', personKeys, personArgs('check'))) as [number, string, string];
      if (checked[0] !== 1) return await undone(enrolled(checked));
      // 3. Scheduled and indexed.
      if (active && (await this.cmd(() => this.redis.zadd(due, 'NX', instance.wakeAt!, member))) === 1) undo.push(() => this.redis.zrem(due, member));
      if ((await this.cmd(() => this.redis.sadd(indexKey, id))) === 1) undo.push(() => this.redis.srem(indexKey, id));
      // 4. The cap's entry. 2: the id has one already, left by an interrupted try of this enrolment (taken over) or
      //    written by a concurrent one (step 5 then refuses this id as active); neither is ours to undo.
      if (plan.cap) {
        const ok = (await this.run('ccJourneyCap', [capKey], [since, plan.cap.max, args[3]!, id])) as number;
        if (!ok) return await undone(enrolled([0, 'cap', '']));
        if (ok === 1) undo.push(() => this.redis.zrem(capKey, id));
      }
      // 5. The rules again (another enrolment may have won meanwhile), then the writes, atomically.
      const r = (await this.run('ccJourneyEnrol', personKeys, personArgs('write'))) as [number, string, string];
      if (r[0] !== 1) {
        // Refused for this very id: a concurrent try of this enrolment won, and the schedule, index and cap entry are its own.
        if (r[2] === id) undo.length = +(registered === 1);
        return await undone(enrolled(r));
      }
    } catch (e) {
      await undone(0);
      throw e;
    }
    // The registration again if a concurrent try of this enrolment undid it.
    await this.cmd(() => this.redis.hsetnx(this.subjects, id, subjectId));
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
    validateDelivery(instanceId, now);
    // Keys of the input's subject: an instance of another person is not found there, and is then looked up to refuse it.
    const subjectId = inputSubject(input);
    const keys = [this.inst(subjectId, instanceId), this.inbox(subjectId, instanceId), this.seen(subjectId, instanceId)];
    const args = [input.id, JSON.stringify(input), now];
    const due = this.batching ? await this.deliveries.add([...keys, this.due(subjectId)], [...args, dueMember(subjectId, instanceId)]) : await this.run('ccJourneyDeliver', keys, args);
    if (due === 0) {
      const owner = await this.cmd(() => this.redis.hget(this.subjects, instanceId));
      if (owner !== null && owner !== subjectId && (await this.read(owner, instanceId)) !== null) throw deliverySubjectError(input, owner);
      return false;
    }
    // LT: never postpone; a leased instance's due time is its lease end (its completion makes it due).
    if (!this.batching) await this.cmd(() => this.redis.zadd(this.due(subjectId), 'LT', due as string, dueMember(subjectId, instanceId)));
    return true;
  }

  async claimDue(now: EpochMs, options: ClaimOptions): Promise<JourneyClaim[]> {
    validateClaim(now, options);
    const { owner } = options;
    const leaseUntil = now + options.leaseMs;
    // Several shards on a Cluster (one hash tag a script): read apart, merged here. Else one script reads them all.
    const many = this.shards > 1 && !this.batching;
    const keys = Array.from({ length: this.shards }, (_, k) => this.shardKey(k));
    const out: JourneyClaim[] = [];
    // Rounds, each choosing up to `limit` members in claim order. Several shards on a Cluster: each one's first `limit`
    // due members (read only), merged into the first `limit` of all, which the shard scripts claim if still due; another
    // round while some went to a concurrent claimer (no longer due, so the next round chooses others). Else one script
    // chooses them, merging the shards, and moves them to their lease end.
    while (out.length < options.limit) {
      const before = out.length;
      const limit = options.limit - before;
      let order: string[] = [];
      const picked: string[][] = [[]];
      if (many) {
        const all: Array<[number, string, number]> = [];
        await Promise.all(
          keys.map(async (key, k) => {
            const r = await this.cmd(() => this.redis.zrangebyscore(key, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit));
            for (let i = 0; i < r.length; i += 2) all.push([+r[i + 1]!, r[i]!, k]);
            picked[k] = [];
          }),
        );
        // Members compare as their ids do (see orderKey).
        for (const [, m, k] of all.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)).slice(0, limit)) order.push(m), picked[k]!.push(m);
      }
      const got = new Map<string, JourneyClaim | null>();
      await Promise.all(
        picked.map(async (want, k) => {
          if (many && want.length === 0) return;
          const members = (await this.run('ccJourneyClaimShard', many ? [keys[k]!] : keys, [now, limit, leaseUntil, ...want])) as string[];
          if (!many) order = members;
          const chunks: Array<Promise<Array<JourneyClaim | null>>> = [];
          if (this.batching) for (let i = 0; i < members.length; i += BATCH) chunks.push(this.claimMany(members.slice(i, i + BATCH), now, leaseUntil, owner));
          else chunks.push(Promise.all(members.map((m) => this.claimOne(m, now, leaseUntil, owner))));
          (await Promise.all(chunks)).flat().forEach((c, i) => got.set(members[i]!, c));
        }),
      );
      for (const m of order) {
        const c = got.get(m);
        if (c) out.push(c);
      }
      // Nothing chosen, or every member chosen claimed: done.
      if (out.length === before + order.length) break;
    }
    return out;
  }

  private token(owner: string): string {
    return `${owner}:${process.pid}:${++this.tokens}`;
  }

  private claimOf(state: string, inbox: string[] | undefined, token: string, leaseUntil: EpochMs): JourneyClaim {
    return { instance: JSON.parse(state) as JourneyInstance, inbox: (inbox ?? []).map((x) => JSON.parse(x) as JourneyInput), token, leaseUntil };
  }

  /** Due members (already moved to their lease end), claimed by one script call. */
  private async claimMany(members: string[], now: EpochMs, leaseUntil: EpochMs, owner: string): Promise<Array<JourneyClaim | null>> {
    const keys: string[] = [];
    const args: Array<string | number> = [now, leaseUntil];
    const tokens: string[] = [];
    for (const member of members) {
      const [subjectId, id] = splitMember(member);
      const token = this.token(owner);
      tokens.push(token);
      keys.push(this.inst(subjectId, id), this.inbox(subjectId, id), this.due(subjectId));
      args.push(member, token);
    }
    const res = (await this.run('ccJourneyClaimMany', keys, args)) as Array<[number, string?, string[]?]>;
    return res.map((r, i) => (r[0] === 1 ? this.claimOf(r[1]!, r[2], tokens[i]!, leaseUntil) : null));
  }

  private async claimOne(member: string, now: EpochMs, leaseUntil: EpochMs, owner: string): Promise<JourneyClaim | null> {
    const [subjectId, id] = splitMember(member);
    const token = this.token(owner);
    const r = (await this.run('ccJourneyClaimOne', [this.inst(subjectId, id), this.inbox(subjectId, id)], [now, token, leaseUntil])) as [number, string?, string[]?];
    if (r[0] === 1) return this.claimOf(r[1]!, r[2], token, leaseUntil);
    // Gone: dropped. Someone else holds it (a delivery between its claim's two scripts on a Cluster made it look due): its lease end put back.
    const due = this.due(subjectId);
    await this.cmd(() => (r[0] ? this.redis.zadd(due, 'XX', r[1]!, member) : this.redis.zrem(due, member)));
    return null;
  }

  private async schedule(subjectId: string, instanceId: string, due: string, now: EpochMs): Promise<void> {
    const key = this.due(subjectId);
    const member = dueMember(subjectId, instanceId);
    if (due === '') {
      await this.cmd(() => this.redis.zrem(key, member));
      return;
    }
    // Then look at the inbox: a delivery that raced with this write must not wait for the wake-up. The inbox is
    // read after the write has landed (on a Cluster the two keys may live on different nodes).
    await this.cmd(() => this.redis.zadd(key, due, member));
    const len = await this.cmd(() => this.redis.llen(this.inbox(subjectId, instanceId)));
    if (len > 0) await this.cmd(() => this.redis.zadd(key, 'LT', now, member));
  }

  async complete(claim: JourneyClaim, instance: JourneyInstance, consumed: number, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    validateCompletion(claim, consumed, now);
    const { subjectId, id, journeyId } = claim.instance;
    if (instance.id !== id) return false;
    const keys = [this.inst(subjectId, id), this.inbox(subjectId, id), this.person(subjectId, 'jact')];
    const args = [claim.token, now, JSON.stringify(instance), consumed, instance.status, journeyId, id, instance.wakeAt ?? ''];
    if (this.batching) {
      keys.push(this.due(subjectId));
      args.push(dueMember(subjectId, id));
      return (await this.completions.add(keys, args)) === 1;
    }
    const r = (await this.run('ccJourneyComplete', keys, args)) as [number, string?];
    if (r[0] !== 1) return false;
    await this.schedule(subjectId, id, r[1]!, now);
    return true;
  }

  async replace(instance: JourneyInstance, now: EpochMs): Promise<boolean> {
    validateReplacement(instance, now);
    const { subjectId, id, journeyId } = instance;
    // An instance's journey and person never change, so reading them before the script races with nothing but an
    // erasure, which the script then answers as missing.
    checkReplaceIdentity(await this.get(id), instance);
    const r = (await this.run(
      'ccJourneyReplace',
      [this.inst(subjectId, id), this.person(subjectId, 'jact'), this.inbox(subjectId, id)],
      [now, JSON.stringify(instance), instance.status, journeyId, id, instance.wakeAt ?? ''],
    )) as string | [string] | null;
    if (r === null) return false;
    if (Array.isArray(r)) throw replaceConflictError(instance, r[0]);
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
    // Every shard's head at once (one round trip on a single node; each node's in a Cluster).
    const heads = await this.cmd(() => Promise.all(Array.from({ length: this.shards }, (_, k) => this.redis.zrange(this.shardKey(k), 0, 0, 'WITHSCORES'))));
    for (const r of heads) {
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
      // Keys of four hash tags (the person, the due shard, the registry, the journey): sent apart.
      const r = this.redis;
      await this.cmd(() =>
        Promise.all([
          r.del(this.inst(subjectId, id), this.inbox(subjectId, id), this.seen(subjectId, id)),
          r.zrem(this.due(subjectId), dueMember(subjectId, id)),
          r.hdel(this.subjects, id),
          ...(inst ? [r.srem(this.journeyKey(inst.journeyId, 'jidx'), id), r.zrem(this.journeyKey(inst.journeyId, 'jcap'), id)] : []),
        ]),
      );
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

  private async run(script: ScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.redis[script]!(keys.length, ...keys, ...args);
    } catch (e) {
      throw storeError(e);
    }
  }
}

/**
 * An id's order key: each UTF-16 code unit from U+D800 up as one character from U+F0000 up, so that the key's UTF-8
 * bytes (the order of members of one score) and its code units are both in the id's UTF-16 order.
 */
const orderKey = (id: string): string => id.replace(/[\uD800-\uFFFF]/g, (c) => String.fromCodePoint(c.charCodeAt(0) + 0xe2800));

/** @internal A due set's member for an instance: its id's order key, a newline (ids hold none), its subject. */
export function dueMember(subjectId: string, id: string): string {
  return `${orderKey(id)}\n${subjectId}`;
}

/** @internal A due set's member as [subjectId, instanceId]. */
export function splitMember(member: string): [string, string] {
  const nl = member.indexOf('\n');
  return [member.slice(nl + 1), member.slice(0, nl).replace(/[\uDB80-\uDB89][\uDC00-\uDFFF]/g, (c) => String.fromCharCode(c.codePointAt(0)! - 0xe2800))];
}

/** An entry script's answer `{1}` or `{0, reason, active id}` as {@link EnrolResult}. */
function enrolled(r: [number, string, string]): EnrolResult {
  if (r[0] === 1) return { enrolled: true };
  const reason = r[1] as 'active' | 'no_reentry' | 'cooldown' | 'cap';
  return reason === 'active' ? { enrolled: false, reason, activeId: r[2] } : { enrolled: false, reason };
}

/** A Redis failure through the shared mapping (`STORE_ERROR` with `detail.retryable`, `STORE_TIMEOUT`); a typed error passes through. */
function storeError(e: unknown): CrossChannelError {
  return redisStoreError('Redis journey store', e);
}
