import type { Cluster, Redis } from 'ioredis';
import { CrossChannelError } from '../../core/errors.js';
import { parseResponseRecord, type ContactRecord, type ContactRecordInput, type History, type ResponseRecord, type ResponseRecordInput } from '../../core/records.js';
import { durationToMs, type DurationInput, type EpochMs } from '../../core/time.js';
import type { CapCandidate, CapHistory, CountedContact } from '../../capping/evaluate.js';
import { explainRefusal, planReservation, type ContactCheck, type ReservationPlan, type ResponseCheck } from '../../capping/reservation.js';
import type { CompiledCapRules, CountScope } from '../../capping/rules.js';
import type { ContactHistoryStore, RecordedContact, Reservation, ReserveOptions } from '../../capping/store.js';
import { redisStoreError } from './errors.js';
import { expectRedisClient, subjectKey, prefixOption } from './keys.js';
import { reservationKey, toContactRecord } from '../../capping/contact.js';
import { ERASE_LUA, PRUNE_CONTACTS_LUA, RECORD_LUA, RESERVE_LUA, RESERVE_MANY_LUA, STORE_OUTCOME_LUA } from './contact-history-lua.js';
import { batchingOption, ScriptBatch } from './batch.js';
import { checkBound, checkStoreId } from '../store-input.js';

/**
 * Options of {@link RedisContactHistoryStore}.
 *
 * @example
 * ```ts
 * import type { Redis } from 'ioredis';
 *
 * declare const redis: Redis;
 *
 * new RedisContactHistoryStore(redis, { prefix: 'shop-eu', retention: '90d' });
 * ```
 */
export interface RedisContactHistoryStoreOptions {
  /** Key prefix (default `cc:ch`). Keys are `<prefix>:{<subjectId>}:contacts|responses|idem|ix`. */
  readonly prefix?: string;
  /**
   * How long records are kept (default `'400d'`): every write sets the subject's keys to expire after it, and
   * reservations never count contacts older than `now − retention` (each first drops them, and responses as old) nor
   * replay their idempotency keys (a retry with such a key is a new reservation). Must exceed the longest window of your rules.
   */
  readonly retention?: DurationInput;
  /**
   * Reservations issued together (in one turn of the event loop, by concurrent callers) go to Redis in script calls
   * of up to 8 — at least two per turn, so Redis runs one while Node builds or reads another — each reservation
   * checked and recorded in order, atomically (default: on for a standalone client, off for a Cluster, where a
   * script may only touch one hash tag). Several reservations then share one socket write and one command; a
   * reservation made alone goes as before. Turn it off behind a proxy that routes scripts by key (Envoy, Twemproxy,
   * a managed cluster's proxy).
   */
  readonly batching?: boolean;
}

/**
 * Reservations per batched script call (`ScriptBatch`'s halving mode: a turn's reservations go in at least two calls
 * of up to 8, so Redis runs one while Node builds or reads the other). Measured against one call per reservation and
 * against one call per turn (capping guide).
 */
export const RESERVE_BATCH = 8;

const US = '\x1f';
const RS = '\x1e';
const GS = '\x1d';
const FS = '\x1c';
const FAR = 9e15;

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000'];

/**
 * `String(x)`, faster for the integers a reservation sends by the dozen (epoch milliseconds, window bounds): V8
 * writes a number past 2^31 out about four times slower than two halves below it (≈ 190 against ≈ 50 ns), so a safe
 * integer is written as its high digits and its last eight. Anything else goes to `String`. Internal; exported
 * for its property test.
 */
export function decimal(x: number): string {
  if (x < 2147483648 && x > -2147483648) return String(x);
  if (!Number.isSafeInteger(x)) return String(x);
  if (x < 0) return `-${decimal(-x)}`;
  const high = Math.floor(x / 1e8);
  const low = String(x - high * 1e8);
  return String(high) + ZEROS[8 - low.length]! + low;
}
type Client = Redis | Cluster;
type Scripted = Client & Record<string, (...args: Array<string | number>) => Promise<unknown>>;

/**
 * How the script counts a check: the index atoms it reads (see contact-history-lua.ts), summed when they are
 * disjoint, or distinct contacts over them (`union`) when they may overlap (several tags).
 */
interface IndexPlan {
  /** The atoms, separated by \x1c as the script reads them. */
  readonly joined: string;
  /** The same atoms, one by one (the index keys the script reads, declared). */
  readonly atoms: ReadonlyArray<string>;
  readonly union: boolean;
}

interface IndexedCheck {
  readonly plan: IndexPlan;
  readonly limit: number;
  readonly lb: number;
  readonly ub: number;
}

/**
 * {@link ContactHistoryStore} on Redis or Redis Cluster through `ioredis`. A reservation is ONE Lua script run
 * server-side: it counts every applicable rule's window and records the contact only if none is full, so any
 * number of processes racing for one subject never exceed a cap. Each contact is also filed in a per-subject
 * index under the scopes it belongs to (all, its channel, campaign, offer, each tag, each channel + tag), so a
 * check over such a scope costs one O(log n) count instead of a scan of the history; other scopes are scanned.
 * The store executes capping's reservation plan (`planReservation`: windows, narrowed scopes, limits, quiet
 * hours already resolved) and knows nothing of rule kinds. All keys of a subject share its hash tag, so the
 * script is valid on a cluster. Refusals are explained by capping (`explainRefusal`) from the exact snapshot
 * the script saw. Reservations issued together by concurrent callers share script calls (`batching`): each is still
 * checked and recorded on its own, in order.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { parseCapRules } from 'crosschannel/capping';
 *
 * const caps = parseCapRules({ rules: [{ id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } }] });
 *
 * const store = new RedisContactHistoryStore(new Redis(), { prefix: 'shop', retention: '90d' });
 * const r = await store.reserve({ id: 'c1', subjectId: 'p1', channel: 'sms', at: Date.now(), idempotencyKey: 'msg-1' }, caps, { timeZone: 'Europe/Paris' });
 * ```
 */
export class RedisContactHistoryStore implements ContactHistoryStore {
  readonly #redis: Scripted;
  readonly #prefix: string;
  readonly #retentionMs: number;
  readonly #encoded = new WeakMap<CountScope, string>();
  readonly #plans = new WeakMap<CountScope, IndexPlan | null>();
  /** Reservations waiting for the current turn's batch (`null` when batching is off). */
  readonly #reserves: ScriptBatch | null;

  constructor(redis: Client, options: RedisContactHistoryStoreOptions = {}) {
    expectRedisClient(redis, true);
    this.#prefix = prefixOption(options, 'cc:ch');
    this.#retentionMs = durationToMs(options.retention ?? '400d', ['retention']);
    if (this.#retentionMs <= 0) throw new CrossChannelError('CONFIG_INVALID', 'retention must be longer than 0', { path: ['retention'] });
    this.#reserves = batchingOption(redis, options)
      ? new ScriptBatch(
          (keys, args) => this.#call('ccCappingReserveManyIxK', keys.length, ...keys, ...args),
          RESERVE_BATCH,
          (m) => redisStoreError('Redis contact history', new Error(m)),
          true,
          // A reservation alone goes as the one-reservation script (its arguments without the item's two counts).
          (keys, args) => this.#call('ccCappingReserveIxK', keys.length, ...keys, ...args.slice(2)),
        )
      : null;
    const scripted = redis as Scripted;
    // defineCommand sends EVALSHA and falls back to EVAL after a SCRIPT FLUSH or on a fresh cluster node.
    // Scripts declare every key they touch (the first argument is the key count): while a slot migrates, Redis
    // then answers ASK/TRYAGAIN before the script runs, instead of failing it half-way at an undeclared key.
    if (typeof scripted.ccCappingReserveIxK !== 'function') {
      redis.defineCommand('ccCappingReserveIxK', { lua: RESERVE_LUA });
      redis.defineCommand('ccCappingReserveManyIxK', { lua: RESERVE_MANY_LUA });
      redis.defineCommand('ccCappingRecordIxK', { lua: RECORD_LUA });
      redis.defineCommand('ccCappingPruneIxK', { lua: PRUNE_CONTACTS_LUA });
      redis.defineCommand('ccCappingEraseIxK', { lua: ERASE_LUA });
      redis.defineCommand('ccCappingStoreOutcome', { numberOfKeys: 1, lua: STORE_OUTCOME_LUA });
    }
    this.#redis = scripted;
  }

  async recordContact(input: ContactRecordInput): Promise<RecordedContact> {
    const contact = toContactRecord(input);
    const key = contact.idempotencyKey ?? '';
    const json = JSON.stringify(contact);
    const s = contact.subjectId;
    const base = subjectKey(this.#prefix, s, '');
    const keys = indexKeysInto(base, contactAtoms(contact), [`${base}contacts`, `${base}idem`]);
    const res = (await this.#call(
      'ccCappingRecordIxK',
      keys.length,
      ...keys,
      key,
      encodeContact(contact, json),
      contact.at,
      this.#retentionMs,
    )) as [number, string?];
    if (res[0] === 0 && res[1] !== undefined) return { recorded: false, contact: (JSON.parse(res[1]) as Reservation).contact };
    return { recorded: res[0] === 1, contact };
  }

  async recordResponse(input: ResponseRecordInput): Promise<void> {
    const response = parseResponseRecord(input);
    const k = this.#key(response.subjectId, 'responses');
    await this.#guard(() => this.#redis.multi().zadd(k, response.at, encodeResponse(response)).pexpire(k, this.#retentionMs).exec());
  }

  async history(subjectId: string, since: EpochMs = Number.NEGATIVE_INFINITY): Promise<History> {
    // A lone surrogate would be read as U+FFFD in the key: another subject's history.
    checkStoreId(subjectId, 'subjectId');
    checkBound(since, 'since');
    const min = Number.isFinite(since) ? String(since) : '-inf';
    const [c, r] = await this.#guard(() =>
      Promise.all([this.#redis.zrangebyscore(this.#key(subjectId, 'contacts'), min, '+inf'), this.#redis.zrangebyscore(this.#key(subjectId, 'responses'), min, '+inf')]),
    );
    return { subjectId, contacts: c.map(decode<ContactRecord>), responses: r.map(decode<ResponseRecord>), events: [] };
  }

  /**
   * The reservation script's arguments, and what reading its answer needs. Kept out of `reserve` (async, on every
   * decision's path) so that it holds no loop: see test/architecture/hot-paths.test.ts.
   */
  #reserveCall(
    input: ContactRecordInput,
    caps: CompiledCapRules,
    options: ReserveOptions,
  ): { args: Array<string | number>; plan: ReservationPlan; contact: ContactRecord; now: EpochMs; key: string; explicit: boolean } {
    const contact = toContactRecord(input);
    const now = options.now ?? contact.at;
    const candidate: CapCandidate = options.priority === undefined ? contact : { ...contact, priority: options.priority };
    const plan = planReservation(caps, candidate, now, options.timeZone);
    const s = contact.subjectId;
    const forceDeny = plan.refused;
    // Contacts before the cut-off are trimmed when the subject is next written to, so until then the history and
    // index may still hold some: nothing is counted or read below it.
    const cutoff = now - this.#retentionMs;
    const scanned: Array<string | number> = [];
    let nScanned = 0;
    let scanFrom = Number.POSITIVE_INFINITY;
    const indexedChecks: IndexedCheck[] = [];
    if (!forceDeny) {
      for (const check of plan.responses) {
        scanned.push(this.#encode(check), Number.isFinite(check.from) ? check.from : -FAR, FAR, 1, '');
        nScanned++;
      }
      for (const check of plan.contacts) {
        const ub = Number.isFinite(check.to) ? check.to : FAR;
        const index = this.#plan(check);
        if (index === null) {
          scanFrom = Math.min(scanFrom, check.from);
          scanned.push(this.#encode(check), check.from, ub, check.limit, '');
          nScanned++;
        } else indexedChecks.push({ plan: index, limit: check.limit, lb: Math.max(check.from, cutoff), ub });
      }
    }
    // The script stops at the first full check: the tightest limits go first, so refusals cost fewer counts.
    sortByLimit(indexedChecks);
    let indexed = '';
    for (const { plan: index, limit, lb, ub } of indexedChecks) {
      indexed += `${indexed === '' ? '' : GS}${index.union ? -limit : limit}${US}${decimal(lb)}${US}${ub === FAR ? '+inf' : `(${decimal(ub)}`}${US}${index.joined}`;
    }
    const contactFrom = plan.contactsFrom;
    const responseFrom = plan.responsesFrom === null ? null : Number.isFinite(plan.responsesFrom) ? plan.responsesFrom : -FAR;
    const { key, explicit } = reservationKey(contact);
    const json = JSON.stringify(contact);
    // Declared: the three record keys, then every index key read (rule atoms, the refusal snapshot) or written.
    const snapshotTx = contactFrom !== null && plan.countsTransactional;
    const atoms = contactAtoms(contact);
    if (contactFrom !== null) addNew(atoms, 'n*');
    if (snapshotTx) addNew(atoms, 't*');
    for (const { plan: index } of indexedChecks) for (const a of index.atoms) addNew(atoms, a);
    const base = subjectKey(this.#prefix, s, '');
    const args = indexKeysInto(base, atoms, [atoms.length + 4, `${base}contacts`, `${base}responses`, `${base}idem`]);
    args.push(
      key,
      encodeContact(contact, json),
      [
        decimal(contact.at),
        decimal(this.#retentionMs),
        decimal(cutoff),
        forceDeny ? '1' : '0',
        contactFrom === null ? '' : decimal(Math.max(contactFrom, cutoff)),
        responseFrom === null ? '' : decimal(responseFrom),
        Number.isFinite(scanFrom) ? decimal(Math.max(scanFrom, cutoff)) : '+inf',
        nScanned,
        snapshotTx ? '1' : '0',
        decimal(now),
      ].join(US),
      indexed,
    );
    for (const a of scanned) args.push(a);
    return { args, plan, contact, now, key, explicit };
  }

  async reserve(input: ContactRecordInput, caps: CompiledCapRules, options: ReserveOptions = {}): Promise<Reservation> {
    const { args, plan, contact, now, key, explicit } = this.#reserveCall(input, caps, options);
    const res = (await (this.#reserves === null ? this.#guard(() => this.#redis.ccCappingReserveIxK!(...args)) : this.#batched(this.#reserves, args))) as [number, unknown?, unknown?, unknown?];
    if (res[0] === 1) return { granted: true, decision: { allowed: true, reasons: [], nextAllowedAt: now }, contact, replayed: false };
    if (res[0] === 2) return { ...(JSON.parse(res[1] as string) as Reservation), replayed: true };
    const snapshot = { contacts: countedContacts(res[1] as string[], res[2] as string[]), responses: countedResponses(res[3] as string[]) };
    const decision = explainRefusal(plan, snapshot);
    const outcome: Reservation = { granted: false, decision, contact, replayed: false };
    if (!explicit) return outcome;
    const prior = (await this.#call('ccCappingStoreOutcome', this.#key(contact.subjectId, 'idem'), key, JSON.stringify(outcome), this.#retentionMs, decimal(contact.at))) as string | null;
    return prior === null ? outcome : { ...(JSON.parse(prior) as Reservation), replayed: true };
  }

  async prune(before: EpochMs): Promise<number> {
    checkBound(before, 'before');
    const nodes = 'nodes' in this.#redis && typeof this.#redis.nodes === 'function' ? (this.#redis as Cluster).nodes('master') : [this.#redis as Redis];
    // SCAN neither applies nor strips ioredis' own keyPrefix; commands below add it back.
    const options = (this.#redis as Partial<Cluster>).options;
    const kp = (options?.redisOptions?.keyPrefix ?? (options as { keyPrefix?: string } | undefined)?.keyPrefix) ?? '';
    let removed = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await this.#guard(() => node.scan(cursor, 'MATCH', `${kp}${this.#prefix}:{*}:*`, 'COUNT', 500));
        cursor = next;
        const pruned = new Set<string>();
        for (const k of found.map((f) => f.slice(kp.length))) {
          // Names after the hash tag: contacts, responses, idem, or ix:<atom> (an atom may end in ":contacts").
          const name = k.slice(k.indexOf('}', this.#prefix.length + 2) + 2);
          if (name === 'contacts' || name === 'ix') {
            // Contacts and index keys go in one script, reached from either key (one may outlive the other).
            const contacts = `${k.slice(0, -name.length)}contacts`;
            if (pruned.has(contacts)) continue;
            pruned.add(contacts);
            removed += await this.#withRegistry(contacts, (keys) => this.#call('ccCappingPruneIxK', keys.length, ...keys, before) as Promise<number>);
          } else if (name === 'responses') {
            removed += await this.#guard(() => this.#redis.zremrangebyscore(k, '-inf', `(${before}`));
          } else if (name === 'idem') {
            const all = await this.#guard(() => this.#redis.hgetall(k));
            // \u001fold (the earliest refusal's `at`) is recomputed by the next reservation that finds it stale.
            const stale = Object.entries(all).filter(([f, v]) => f !== '\u001fold' && (JSON.parse(v) as Reservation).contact.at < before).map(([f]) => f);
            if (stale.length > 0) await this.#guard(() => this.#redis.hdel(k, ...stale));
          }
        }
      } while (cursor !== '0');
    }
    return removed;
  }

  async erase(subjectId: string): Promise<void> {
    checkStoreId(subjectId, 'subjectId');
    const [r, o] = [this.#key(subjectId, 'responses'), this.#key(subjectId, 'idem')];
    await this.#withRegistry(this.#key(subjectId, 'contacts'), (keys) => this.#call('ccCappingEraseIxK', keys.length + 2, ...keys, r, o) as Promise<number>);
  }

  #key(subjectId: string, name: string): string {
    return subjectKey(this.#prefix, subjectId, name);
  }

  /**
   * Runs a script over every index key a subject has: the registry is read first so the keys can be declared;
   * the script refuses (-1, writing nothing) when the registry gained an atom meanwhile, and is run again.
   * `contacts` is the subject's contacts key; the remaining record keys follow in the script's ARGV.
   */
  async #withRegistry(contacts: string, run: (keys: string[]) => Promise<number>): Promise<number> {
    const base = contacts.slice(0, -'contacts'.length);
    for (let attempt = 0; ; attempt++) {
      const atoms = await this.#guard(() => this.#redis.smembers(`${base}ix`));
      const n = await run(indexKeysInto(base, atoms, [contacts]));
      if (n >= 0) return n;
      if (attempt >= 10) throw new CrossChannelError('STORE_CONFLICT', 'Redis contact history: the index registry kept changing during a prune or erase', { detail: { retryable: true } });
    }
  }

  /**
   * The index atoms a contact check reads, or `null` when its scope is not one the index files (e.g. campaign +
   * tag): such checks are counted by scanning the history. Cached per shared (compiled) scope.
   */
  #plan(check: ContactCheck): IndexPlan | null {
    if (!check.shared) return planFor(check.scope);
    let plan = this.#plans.get(check.scope);
    if (plan === undefined) {
      plan = planFor(check.scope);
      this.#plans.set(check.scope, plan);
    }
    return plan;
  }

  /**
   * A scanned check as the script reads it (one argument). Built once per shared scope: a compiled rule owns its
   * scope object, so one scope always comes with the same kind of check and the same response kinds.
   */
  #encode(check: ContactCheck | ResponseCheck): string {
    let enc = check.shared ? this.#encoded.get(check.scope) : undefined;
    if (enc === undefined) {
      const list = (xs: ReadonlyArray<string> | null): string => (xs === null ? '' : RS + xs.join(RS) + RS);
      const sc = check.scope;
      const kinds = 'kinds' in check ? check.kinds : null;
      // Per-value narrowing is already in the scope's lists, so the script's own `per` field stays empty.
      enc = [kinds === null ? 'L' : 'C', list(sc.channels), list(sc.campaigns), list(sc.offers), list(sc.tags), '', sc.transactional ? '1' : '0', list(kinds)].join(US);
      if (check.shared) this.#encoded.set(check.scope, enc);
    }
    return enc;
  }

  /** One reservation's script arguments (key count, keys, arguments) queued in `batch` as an item of the batched script. */
  #batched(batch: ScriptBatch, args: Array<string | number>): Promise<unknown> {
    const nk = args[0] as number;
    const keys = args.slice(1, nk + 1) as string[];
    const rest = args.slice(nk - 1);
    rest[0] = nk;
    rest[1] = args.length - nk - 1;
    return batch.add(keys, rest);
  }

  async #call(command: string, ...args: Array<string | number>): Promise<unknown> {
    return this.#guard(() => this.#redis[command]!(...args));
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw redisStoreError('Redis contact history', e);
    }
  }
}

/** The index atoms a contact is filed under (the same list as `atomsOf` in the script, all-contacts atom first). */
function contactAtoms(c: ContactRecord): string[] {
  const f = c.transactional ? 't' : 'n';
  const out = [`${f}*`, `${f}c:${c.channel}`];
  if (c.campaignId) out.push(`${f}C:${c.campaignId}`);
  if (c.offerId) out.push(`${f}o:${c.offerId}`);
  for (const t of c.tags) out.push(`${f}t:${t}`, `${f}x:${c.channel}${RS}${t}`);
  return out;
}

/**
 * Appends the registry key and the index keys of `atoms` (`ix` and `ix:<atom>` beside the subject's contacts
 * key; `base` is the subject's key prefix, `subjectKey(prefix, subject, '')`) to `out`, and returns it.
 */
function indexKeysInto<T extends string | number>(base: string, atoms: Iterable<string>, out: Array<T | string>): Array<T | string> {
  out.push(`${base}ix`);
  for (const a of atoms) out.push(`${base}ix:${a}`);
  return out;
}

/**
 * Orders checks by limit, stably, in place: a stable insertion sort (a handful of checks; `Array#sort` would
 * allocate its work space on every reservation).
 */
function sortByLimit(checks: IndexedCheck[]): void {
  for (let i = 1; i < checks.length; i++) {
    const x = checks[i]!;
    let j = i - 1;
    for (; j >= 0 && checks[j]!.limit > x.limit; j--) checks[j + 1] = checks[j]!;
    checks[j + 1] = x;
  }
}

/** Appends `x` to a short list unless it is there (the declared atoms: a dozen at most, cheaper than a Set). */
function addNew(list: string[], x: string): void {
  if (!list.includes(x)) list.push(x);
}

function planFor(scope: CountScope): IndexPlan | null {
  const { channels, campaigns, offers } = scope;
  const tags = scope.tags === null ? null : [...new Set(scope.tags)];
  const dims = (channels === null ? 0 : 1) + (campaigns === null ? 0 : 1) + (offers === null ? 0 : 1) + (tags === null ? 0 : 1);
  // Distinct values of one field are disjoint (a contact has one channel), tags are not: several count as a union.
  const each = (prefix: string, xs: ReadonlyArray<string>): string[] => [...new Set(xs)].map((v) => prefix + v);
  let atoms: string[];
  if (dims === 0) atoms = ['*'];
  else if (dims === 1 && channels !== null) atoms = each('c:', channels);
  else if (dims === 1 && campaigns !== null) atoms = each('C:', campaigns);
  else if (dims === 1 && offers !== null) atoms = each('o:', offers);
  else if (dims === 1 && tags !== null) atoms = each('t:', tags);
  else if (dims === 2 && channels !== null && tags !== null) atoms = [...new Set(channels)].flatMap((c) => each(`x:${c}${RS}`, tags));
  else return null;
  const flagged = scope.transactional ? [...atoms.map((a) => `n${a}`), ...atoms.map((a) => `t${a}`)] : atoms.map((a) => `n${a}`);
  return { joined: flagged.join(FS), atoms: flagged, union: tags !== null && tags.length > 1 };
}

function encodeContact(c: ContactRecord, json: string): string {
  return [c.id, c.channel, c.campaignId ?? '', c.offerId ?? '', c.transactional ? '1' : '0', RS + c.tags.join(RS) + RS, json].join(US);
}

function encodeResponse(r: ResponseRecord): string {
  return [r.id, r.channel, r.campaignId ?? '', r.offerId ?? '', r.kind, RS + r.tags.join(RS) + RS, JSON.stringify(r)].join(US);
}

/**
 * The counted fields of the contacts in a refusal snapshot: the compact members of the `n*` and `t*` index keys
 * (`at \x1f channel \x1f campaign \x1f offer \x1f tx \x1f tags \x1f id`), each list sorted by `at`, merged.
 */
function countedContacts(ordinary: ReadonlyArray<string>, transactional: ReadonlyArray<string>): CountedContact[] {
  const a = ordinary.map(countedContact);
  if (transactional.length === 0) return a;
  const b = transactional.map(countedContact);
  const out: CountedContact[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]!.at <= b[j]!.at) ? a[i++]! : b[j++]!);
  return out;
}

function countedContact(member: string): CountedContact {
  // Read field by field (no array of fields per member: a refusal parses every contact of its windows).
  const a = member.indexOf(US);
  const b = member.indexOf(US, a + 1);
  const c = member.indexOf(US, b + 1);
  const d = member.indexOf(US, c + 1);
  const e = member.indexOf(US, d + 1);
  const f = member.indexOf(US, e + 1);
  return {
    at: Number(member.slice(0, a)),
    channel: member.slice(a + 1, b),
    campaignId: c > b + 1 ? member.slice(b + 1, c) : undefined,
    offerId: d > c + 1 ? member.slice(c + 1, d) : undefined,
    transactional: member.charCodeAt(d + 1) === 49,
    tags: splitTags(member.slice(e + 1, f)),
  };
}

function countedResponses(flat: ReadonlyArray<string>): CapHistory['responses'][number][] {
  const out: CapHistory['responses'][number][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const f = flat[i]!.split(US, 6);
    out.push({ at: Number(flat[i + 1]), channel: f[1]!, campaignId: f[2] || undefined, offerId: f[3] || undefined, kind: f[4] as ResponseRecord['kind'], tags: splitTags(f[5]!) });
  }
  return out;
}

function splitTags(field: string): string[] {
  return field.length <= 2 ? [] : field.slice(1, -1).split(RS);
}

function decode<T>(member: string): T {
  let at = -1;
  for (let i = 0; i < 6; i++) at = member.indexOf(US, at + 1);
  return JSON.parse(member.slice(at + 1)) as T;
}
