import type { Cluster, Redis } from 'ioredis';
import { CrossChannelError } from '../../core/errors.js';
import { parseResponseRecord, type ContactRecord, type ContactRecordInput, type History, type ResponseRecord, type ResponseRecordInput } from '../../core/records.js';
import { durationToMs, type DurationInput, type EpochMs } from '../../core/time.js';
import { appliesTo, effectiveLimit, evaluateCaps, type CapCandidate, type CapDecision, type CapHistory, type CountedContact } from '../../capping/evaluate.js';
import type { CompiledCapRule, CompiledCapRules } from '../../capping/rules.js';
import type { ContactHistoryStore, RecordedContact, Reservation, ReserveOptions } from '../../capping/store.js';
import { capWindowAt, checkZone, quietEnd } from '../../capping/windows.js';
import { subjectKey } from './keys.js';
import { redisStoreError } from './errors.js';
import { reservationKey, toContactRecord } from '../../capping/contact.js';
import { ERASE_LUA, PRUNE_CONTACTS_LUA, RECORD_LUA, RESERVE_LUA, STORE_OUTCOME_LUA } from './contact-history-lua.js';

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
   * reservations never count contacts older than `now − retention` (a granted one trims them). Must exceed the
   * longest window of your rules.
   */
  readonly retention?: DurationInput;
}

const US = '\x1f';
const RS = '\x1e';
const GS = '\x1d';
const FS = '\x1c';
const FAR = 9e15;
type Client = Redis | Cluster;
type Scripted = Client & Record<string, (...args: Array<string | number>) => Promise<unknown>>;

/**
 * How the script counts a rule: the index atoms it reads (see contact-history-lua.ts), summed when they are
 * disjoint, or distinct contacts over them (`union`) when they may overlap (several tags).
 */
interface IndexPlan {
  /** The atoms, separated by \x1c as the script reads them. */
  readonly joined: string;
  readonly union: boolean;
}

interface IndexedRule {
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
 * rule over such a scope costs one O(log n) count instead of a scan of the history; other scopes are scanned.
 * Calendar windows (which need the time zone) and quiet hours are computed by the client and passed in. All keys
 * of a subject share its hash tag, so the script is valid on a cluster. Refusals are explained by running
 * `evaluateCaps` on the exact snapshot the script saw.
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
  readonly #encoded = new WeakMap<CompiledCapRule, string>();
  readonly #plans = new WeakMap<CompiledCapRule, IndexPlan | null>();

  constructor(redis: Client, options: RedisContactHistoryStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'cc:ch';
    this.#retentionMs = durationToMs(options.retention ?? '400d', ['retention']);
    if (this.#retentionMs <= 0) throw new CrossChannelError('CONFIG_INVALID', 'retention must be longer than 0', { path: ['retention'] });
    const scripted = redis as Scripted;
    // defineCommand sends EVALSHA and falls back to EVAL after a SCRIPT FLUSH or on a fresh cluster node.
    if (typeof scripted.ccCappingReserveIx !== 'function') {
      redis.defineCommand('ccCappingReserveIx', { numberOfKeys: 3, lua: RESERVE_LUA });
      redis.defineCommand('ccCappingRecordIx', { numberOfKeys: 2, lua: RECORD_LUA });
      redis.defineCommand('ccCappingPruneIx', { numberOfKeys: 1, lua: PRUNE_CONTACTS_LUA });
      redis.defineCommand('ccCappingEraseIx', { numberOfKeys: 3, lua: ERASE_LUA });
      redis.defineCommand('ccCappingStoreOutcome', { numberOfKeys: 1, lua: STORE_OUTCOME_LUA });
    }
    this.#redis = scripted;
  }

  async recordContact(input: ContactRecordInput): Promise<RecordedContact> {
    const contact = toContactRecord(input);
    const key = contact.idempotencyKey ?? '';
    const json = JSON.stringify(contact);
    const s = contact.subjectId;
    const res = (await this.#call(
      'ccCappingRecordIx',
      this.#key(s, 'contacts'),
      this.#key(s, 'idem'),
      key,
      encodeContact(contact, json),
      contact.at,
      this.#retentionMs,
      key === '' ? '' : grantedJson(json, contact.at),
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
    const s = contact.subjectId;
    const scanned: Array<string | number> = [];
    let nScanned = 0;
    let forceDeny = false;
    // Where the refusal snapshot starts (it must reach back as far as the longest window) and where scans start.
    let contactFrom = Number.POSITIVE_INFINITY;
    let scanFrom = Number.POSITIVE_INFINITY;
    let responseFrom = Number.POSITIVE_INFINITY;
    // Contacts before the cut-off are trimmed when the subject is next written to, so until then the history and
    // index may still hold some: nothing is counted or read below it.
    const cutoff = now - this.#retentionMs;
    const plans: IndexedRule[] = [];
    for (const rule of caps.rules) {
      if (!appliesTo(rule, candidate)) continue;
      let lb: number;
      let ub = FAR;
      let limit = 1;
      if (rule.kind === 'quiet') {
        if (quietEnd(rule, now, zone) !== now) forceDeny = true;
        continue;
      } else if (rule.kind === 'cooldown') {
        lb = Number.isFinite(rule.cooldownMs) ? now - rule.cooldownMs + 1 : -FAR;
        responseFrom = Math.min(responseFrom, lb);
        scanned.push(this.#encode(rule), lb, ub, limit, perValue(rule, candidate));
        nScanned++;
        continue;
      } else if (rule.kind === 'limit') {
        const w = capWindowAt(caps, rule, now, zone);
        lb = w.start;
        if (Number.isFinite(w.end)) ub = w.end;
        limit = effectiveLimit(rule, candidate);
        if (limit <= 0) forceDeny = true;
      } else {
        lb = now - rule.minGap + 1;
        ub = now + rule.minGap;
      }
      contactFrom = Math.min(contactFrom, lb);
      if (forceDeny) continue;
      const plan = this.#plan(rule, candidate);
      if (plan === null) {
        scanFrom = Math.min(scanFrom, lb);
        scanned.push(this.#encode(rule), lb, ub, limit, perValue(rule, candidate));
        nScanned++;
        continue;
      }
      plans.push({ plan, limit, lb: Math.max(lb, cutoff), ub });
    }
    // The script stops at the first full rule: the tightest limits go first, so refusals cost fewer counts.
    if (plans.length > 1) plans.sort((x, y) => x.limit - y.limit);
    let indexed = '';
    for (const { plan, limit, lb, ub } of plans) {
      indexed += `${indexed === '' ? '' : GS}${plan.union ? -limit : limit}${US}${lb}${US}${ub === FAR ? '+inf' : `(${ub}`}${US}${plan.joined}`;
    }
    const { key, explicit } = reservationKey(contact);
    const json = JSON.stringify(contact);
    const res = (await this.#call(
      'ccCappingReserveIx',
      this.#key(s, 'contacts'),
      this.#key(s, 'responses'),
      this.#key(s, 'idem'),
      key,
      encodeContact(contact, json),
      grantedJson(json, now),
      [
        contact.at,
        this.#retentionMs,
        cutoff,
        forceDeny ? '1' : '0',
        Number.isFinite(contactFrom) ? Math.max(contactFrom, cutoff) : '',
        Number.isFinite(responseFrom) ? responseFrom : '',
        Number.isFinite(scanFrom) ? Math.max(scanFrom, cutoff) : '+inf',
        nScanned,
      ].join(US),
      indexed,
      ...scanned,
    )) as [number, unknown?, unknown?, unknown?];
    if (res[0] === 1) return { granted: true, decision: { allowed: true, reasons: [], nextAllowedAt: now }, contact, replayed: false };
    if (res[0] === 2) return { ...(JSON.parse(res[1] as string) as Reservation), replayed: true };
    const snapshot = { contacts: countedContacts(res[1] as string[], res[2] as string[]), responses: countedResponses(res[3] as string[]) };
    const decision = refusal(evaluateCaps(snapshot, caps, candidate, { now, timeZone: zone }));
    const outcome: Reservation = { granted: false, decision, contact, replayed: false };
    if (!explicit) return outcome;
    const prior = (await this.#call('ccCappingStoreOutcome', this.#key(s, 'idem'), key, JSON.stringify(outcome), this.#retentionMs)) as string | null;
    return prior === null ? outcome : { ...(JSON.parse(prior) as Reservation), replayed: true };
  }

  async prune(before: EpochMs): Promise<number> {
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
            removed += (await this.#call('ccCappingPruneIx', contacts, before)) as number;
          } else if (name === 'responses') {
            removed += await this.#guard(() => this.#redis.zremrangebyscore(k, '-inf', `(${before}`));
          } else if (name === 'idem') {
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
    await this.#call('ccCappingEraseIx', this.#key(subjectId, 'contacts'), this.#key(subjectId, 'responses'), this.#key(subjectId, 'idem'));
  }

  #key(subjectId: string, name: string): string {
    return subjectKey(this.#prefix, subjectId, name);
  }

  /**
   * The index atoms a limit or gap rule reads for this candidate, or `null` when its scope is not one the index
   * files (e.g. campaign + tag): such rules are counted by scanning the history. `per` narrows the field to the
   * candidate's value, which `appliesTo` guarantees is inside the rule's own list.
   */
  #plan(rule: CompiledCapRule, candidate: CapCandidate): IndexPlan | null {
    if (rule.per !== null) return planFor(rule, candidate);
    let plan = this.#plans.get(rule);
    if (plan === undefined) {
      plan = planFor(rule, candidate);
      this.#plans.set(rule, plan);
    }
    return plan;
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
      throw redisStoreError('Redis contact history', e);
    }
  }
}

function planFor(rule: CompiledCapRule, candidate: CapCandidate): IndexPlan | null {
  const channels = rule.per === 'channel' ? [candidate.channel] : rule.channels;
  const campaigns = rule.per === 'campaign' ? [candidate.campaignId!] : rule.campaigns;
  const offers = rule.per === 'offer' ? [candidate.offerId!] : rule.offers;
  const tags = rule.tags === null ? null : [...new Set(rule.tags)];
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
  const flagged = rule.transactionalCounts ? [...atoms.map((a) => `n${a}`), ...atoms.map((a) => `t${a}`)] : atoms.map((a) => `n${a}`);
  return { joined: flagged.join(FS), union: tags !== null && tags.length > 1 };
}

function perValue(rule: CompiledCapRule, candidate: CapCandidate): string {
  return (rule.per === 'channel' ? candidate.channel : rule.per === 'campaign' ? candidate.campaignId : rule.per === 'offer' ? candidate.offerId : '') ?? '';
}

/** What a retry of a granted reservation replays, built from the contact's JSON (same as JSON.stringify of the outcome). */
function grantedJson(contactJson: string, now: EpochMs): string {
  return `{"granted":true,"decision":{"allowed":true,"reasons":[],"nextAllowedAt":${now}},"contact":${contactJson},"replayed":false}`;
}

/** The script refused; the local evaluation of its snapshot gives the reasons (and agrees unless the snapshot is torn). */
function refusal(d: CapDecision): CapDecision {
  if (!d.allowed) return d;
  return { allowed: false, reasons: [{ code: 'CAP_LIMIT_REACHED', message: 'Refused by the store: a concurrent reservation filled a cap' }], nextAllowedAt: null };
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
  const f = member.split(US, 6);
  return { at: Number(f[0]), channel: f[1]!, campaignId: f[2] || undefined, offerId: f[3] || undefined, transactional: f[4] === '1', tags: splitTags(f[5]!) };
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
