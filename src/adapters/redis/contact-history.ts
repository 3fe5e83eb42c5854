import type { Cluster, Redis } from 'ioredis';
import { CrossChannelError } from '../../core/errors.js';
import { parseResponseRecord, type ContactRecord, type ContactRecordInput, type History, type ResponseRecord, type ResponseRecordInput } from '../../core/records.js';
import { durationToMs, type DurationInput, type EpochMs } from '../../core/time.js';
import { appliesTo, effectiveLimit, evaluateCaps, type CapCandidate, type CapDecision, type CapHistory, type CountedContact } from '../../capping/evaluate.js';
import type { CompiledCapRule, CompiledCapRules } from '../../capping/rules.js';
import type { ContactHistoryStore, RecordedContact, Reservation, ReserveOptions } from '../../capping/store.js';
import { capWindowAt, checkZone, quietEnd } from '../../capping/windows.js';
import { subjectKey } from './keys.js';
import { toContactRecord } from '../../capping/contact.js';
import { RECORD_LUA, RESERVE_LUA, STORE_OUTCOME_LUA } from './contact-history-lua.js';

/**
 * Options of {@link RedisContactHistoryStore}.
 *
 * @example
 * ```ts
 * new RedisContactHistoryStore(redis, { prefix: 'shop-eu', retention: '90d' });
 * ```
 */
export interface RedisContactHistoryStoreOptions {
  /** Key prefix (default `cc:ch`). Keys are `<prefix>:{<subjectId>}:contacts|responses|idem`. */
  readonly prefix?: string;
  /**
   * How long records are kept (default `'400d'`): every write sets the subject's keys to expire after it, and
   * reservations trim contacts older than `now − retention`. Must exceed the longest window of your rules.
   */
  readonly retention?: DurationInput;
}

const US = '\x1f';
const RS = '\x1e';
const FAR = 9e15;
type Client = Redis | Cluster;
type Scripted = Client & Record<string, (...args: Array<string | number>) => Promise<unknown>>;

/**
 * {@link ContactHistoryStore} on Redis or Redis Cluster through `ioredis`. A reservation is ONE Lua script run
 * server-side: it counts every applicable rule's window in the subject's sorted set and records the contact only
 * if none is full, so any number of processes racing for one subject never exceed a cap. Calendar windows (which
 * need the time zone) and quiet hours are computed by the client and passed in. All keys of a subject share its
 * hash tag, so the script is valid on a cluster. Refusals are explained by running `evaluateCaps` on the exact
 * snapshot the script saw.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const store = new RedisContactHistoryStore(new Redis(), { prefix: 'shop', retention: '90d' });
 * const r = await store.reserve({ id: 'c1', subjectId: 'p1', channel: 'sms', at: Date.now(), idempotencyKey: 'msg-1' }, caps, { timeZone: 'Europe/Paris' });
 * ```
 */
export class RedisContactHistoryStore implements ContactHistoryStore {
  readonly #redis: Scripted;
  readonly #prefix: string;
  readonly #retentionMs: number;
  readonly #encoded = new WeakMap<CompiledCapRule, string>();

  constructor(redis: Client, options: RedisContactHistoryStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'cc:ch';
    this.#retentionMs = durationToMs(options.retention ?? '400d', ['retention']);
    if (this.#retentionMs <= 0) throw new CrossChannelError('CONFIG_INVALID', 'retention must be longer than 0', { path: ['retention'] });
    const scripted = redis as Scripted;
    // defineCommand sends EVALSHA and falls back to EVAL after a SCRIPT FLUSH or on a fresh cluster node.
    if (typeof scripted.ccCappingReserve !== 'function') {
      redis.defineCommand('ccCappingReserve', { numberOfKeys: 3, lua: RESERVE_LUA });
      redis.defineCommand('ccCappingRecord', { numberOfKeys: 2, lua: RECORD_LUA });
      redis.defineCommand('ccCappingStoreOutcome', { numberOfKeys: 1, lua: STORE_OUTCOME_LUA });
    }
    this.#redis = scripted;
  }

  async recordContact(input: ContactRecordInput): Promise<RecordedContact> {
    const contact = toContactRecord(input);
    const key = contact.idempotencyKey ?? '';
    const outcome = key === '' ? '' : JSON.stringify(grantedOutcome(contact, contact.at));
    const res = (await this.#call('ccCappingRecord', this.#key(contact.subjectId, 'contacts'), this.#key(contact.subjectId, 'idem'), key, encodeContact(contact), contact.at, this.#retentionMs, outcome)) as [number, string?];
    if (res[0] === 0 && res[1] !== undefined) return { recorded: false, contact: (JSON.parse(res[1]) as Reservation).contact };
    return { recorded: res[0] === 1, contact };
  }

  async recordResponse(input: ResponseRecordInput): Promise<void> {
    const response = parseResponseRecord(input);
    const k = this.#key(response.subjectId, 'responses');
    await this.#guard(() => this.#redis.multi().zadd(k, response.at, encodeResponse(response)).pexpire(k, this.#retentionMs).exec());
  }

  async history(subjectId: string, since: EpochMs = Number.NEGATIVE_INFINITY): Promise<History> {
    const min = Number.isFinite(since) ? String(since) : '-inf';
    const [c, r] = await this.#guard(() =>
      Promise.all([this.#redis.zrangebyscore(this.#key(subjectId, 'contacts'), min, '+inf'), this.#redis.zrangebyscore(this.#key(subjectId, 'responses'), min, '+inf')]),
    );
    return { subjectId, contacts: c.map(decode<ContactRecord>), responses: r.map(decode<ResponseRecord>), events: [] };
  }

  async reserve(input: ContactRecordInput, caps: CompiledCapRules, options: ReserveOptions = {}): Promise<Reservation> {
    const contact = toContactRecord(input);
    const now = options.now ?? contact.at;
    const zone = checkZone(caps, options.timeZone ?? caps.timeZone);
    const candidate: CapCandidate = options.priority === undefined ? contact : { ...contact, priority: options.priority };
    const args: Array<string | number> = [];
    let forceDeny = false;
    let contactFrom = Number.POSITIVE_INFINITY;
    let responseFrom = Number.POSITIVE_INFINITY;
    let n = 0;
    for (const rule of caps.rules) {
      if (!appliesTo(rule, candidate)) continue;
      let lb: number;
      let ub = FAR;
      let limit = 1;
      if (rule.kind === 'quiet') {
        if (quietEnd(rule, now, zone) !== now) forceDeny = true;
        continue;
      } else if (rule.kind === 'limit') {
        const w = capWindowAt(caps, rule, now, zone);
        lb = w.start;
        if (Number.isFinite(w.end)) ub = w.end;
        limit = effectiveLimit(rule, candidate);
      } else if (rule.kind === 'gap') {
        lb = now - rule.minGap + 1;
        ub = now + rule.minGap;
      } else {
        lb = Number.isFinite(rule.cooldownMs) ? now - rule.cooldownMs + 1 : -FAR;
      }
      if (rule.kind === 'cooldown') responseFrom = Math.min(responseFrom, lb);
      else contactFrom = Math.min(contactFrom, lb);
      const enc = this.#encode(rule);
      const pv = rule.per === 'channel' ? candidate.channel : rule.per === 'campaign' ? candidate.campaignId : rule.per === 'offer' ? candidate.offerId : '';
      args.push(enc, lb, ub, limit, pv ?? '');
      n++;
    }
    // Refusals are explained from the snapshot, which must reach back as far as the longest lookback.
    if (forceDeny || n > 0) {
      const back = Math.min(contactFrom, responseFrom, now - Math.min(caps.lookbackMs, FAR));
      if (!Number.isFinite(contactFrom)) contactFrom = back;
      if (!Number.isFinite(responseFrom)) responseFrom = back;
    }
    const key = contact.idempotencyKey ?? '';
    const s = contact.subjectId;
    const res = (await this.#call(
      'ccCappingReserve',
      this.#key(s, 'contacts'),
      this.#key(s, 'responses'),
      this.#key(s, 'idem'),
      now,
      key,
      encodeContact(contact),
      contact.at,
      this.#retentionMs,
      key === '' ? '' : JSON.stringify(grantedOutcome(contact, now)),
      forceDeny ? '1' : '0',
      Number.isFinite(contactFrom) ? contactFrom : '+inf',
      Number.isFinite(responseFrom) ? responseFrom : '+inf',
      n,
      ...args,
    )) as [number, unknown?, unknown?];
    if (res[0] === 1) return { granted: true, decision: { allowed: true, reasons: [], nextAllowedAt: now }, contact, replayed: false };
    if (res[0] === 2) return { ...(JSON.parse(res[1] as string) as Reservation), replayed: true };
    const snapshot = { contacts: countedContacts(res[1] as string[]), responses: countedResponses(res[2] as string[]) };
    const decision = refusal(evaluateCaps(snapshot, caps, candidate, { now, timeZone: zone }));
    const outcome: Reservation = { granted: false, decision, contact, replayed: false };
    if (key === '') return outcome;
    const prior = (await this.#call('ccCappingStoreOutcome', this.#key(s, 'idem'), key, JSON.stringify(outcome), this.#retentionMs)) as string | null;
    return prior === null ? outcome : { ...(JSON.parse(prior) as Reservation), replayed: true };
  }

  async prune(before: EpochMs): Promise<number> {
    const nodes = 'nodes' in this.#redis && typeof this.#redis.nodes === 'function' ? (this.#redis as Cluster).nodes('master') : [this.#redis as Redis];
    let removed = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await this.#guard(() => node.scan(cursor, 'MATCH', `${this.#prefix}:{*}:*`, 'COUNT', 500));
        cursor = next;
        for (const k of keys) {
          if (k.endsWith(':contacts') || k.endsWith(':responses')) {
            removed += await this.#guard(() => this.#redis.zremrangebyscore(k, '-inf', `(${before}`));
          } else if (k.endsWith(':idem')) {
            const all = await this.#guard(() => this.#redis.hgetall(k));
            const stale = Object.entries(all).filter(([, v]) => (JSON.parse(v) as Reservation).contact.at < before).map(([f]) => f);
            if (stale.length > 0) await this.#guard(() => this.#redis.hdel(k, ...stale));
          }
        }
      } while (cursor !== '0');
    }
    return removed;
  }

  async erase(subjectId: string): Promise<void> {
    await this.#guard(() => this.#redis.del(this.#key(subjectId, 'contacts'), this.#key(subjectId, 'responses'), this.#key(subjectId, 'idem')));
  }

  #key(subjectId: string, name: string): string {
    return subjectKey(this.#prefix, subjectId, name);
  }

  /** The static part of a rule as the script reads it (one argument, built once per compiled rule). */
  #encode(rule: CompiledCapRule): string {
    let enc = this.#encoded.get(rule);
    if (enc === undefined) {
      const list = (xs: ReadonlyArray<string> | null): string => (xs === null ? '' : RS + xs.join(RS) + RS);
      enc = [
        rule.kind === 'cooldown' ? 'C' : rule.kind === 'gap' ? 'G' : 'L',
        list(rule.channels),
        list(rule.campaigns),
        list(rule.offers),
        list(rule.tags),
        rule.per === 'channel' ? 'ch' : rule.per === 'campaign' ? 'ca' : rule.per === 'offer' ? 'of' : '',
        rule.transactionalCounts ? '1' : '0',
        list(rule.cooldownKinds),
      ].join(US);
      this.#encoded.set(rule, enc);
    }
    return enc;
  }

  async #call(command: string, ...args: Array<string | number>): Promise<unknown> {
    return this.#guard(() => this.#redis[command]!(...args));
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new CrossChannelError('STORE_ERROR', `Redis contact history: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

function grantedOutcome(contact: ContactRecord, now: EpochMs): Reservation {
  return { granted: true, decision: { allowed: true, reasons: [], nextAllowedAt: now }, contact, replayed: false };
}

/** The script refused; the local evaluation of its snapshot gives the reasons (and agrees unless the snapshot is torn). */
function refusal(d: CapDecision): CapDecision {
  if (!d.allowed) return d;
  return { allowed: false, reasons: [{ code: 'CAP_LIMIT_REACHED', message: 'Refused by the store: a concurrent reservation filled a cap' }], nextAllowedAt: null };
}

function encodeContact(c: ContactRecord): string {
  return [c.id, c.channel, c.campaignId ?? '', c.offerId ?? '', c.transactional ? '1' : '0', RS + c.tags.join(RS) + RS, JSON.stringify(c)].join(US);
}

function encodeResponse(r: ResponseRecord): string {
  return [r.id, r.channel, r.campaignId ?? '', r.offerId ?? '', r.kind, RS + r.tags.join(RS) + RS, JSON.stringify(r)].join(US);
}

/** The counted fields of contacts from `[member, score, …]`, read from the headers without parsing JSON. */
function countedContacts(flat: ReadonlyArray<string>): CountedContact[] {
  const out: CountedContact[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const f = flat[i]!.split(US, 6);
    out.push({ at: Number(flat[i + 1]), channel: f[1]!, campaignId: f[2] || undefined, offerId: f[3] || undefined, transactional: f[4] === '1', tags: splitTags(f[5]!) });
  }
  return out;
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
