import type { Cluster, Redis } from 'ioredis';
import type { CrossChannelError } from '../../core/errors.js';
import { DAY } from '../../core/time.js';
import type { CapacityReservation, ConsumeResult, OfferCapacitySpec, OfferCapacityStore, OfferUsage } from '../../arbitration/store.js';
import { capacityWindows, unitCost } from '../../arbitration/store.js';
import { checkConsume, checkRelease, checkUsage } from '../store-input.js';
import { redisStoreError } from './errors.js';
import { expectRedisClient, offerKey, prefixOption } from './keys.js';
import type { EpochMs } from '../../core/time.js';

// KEYS: day, week, total, spent, the call's key. ARGV: amount, cost, perDay, perWeek, total, budget (-1 = no limit),
// day TTL, week TTL, the grant's reservation as JSON when keyed ('' = not keyed). Check every limit, then increment
// all counters: one script, so no other client interleaves. A keyed call stores its outcome (that JSON, or the
// exhausted limit) for the day, and a repeat replays it: the first call's reservation, whatever the repeat asks.
type Scripted = (Redis | Cluster) & Record<string, (...args: string[]) => Promise<unknown>>;

// Numbers go back as '%.17g' strings: Lua's tostring keeps 14 significant digits, and a Lua number returned as such
// is truncated to an integer. `spent` is summed in Lua's doubles and stored the same way, not with INCRBYFLOAT
// (long double, written with 17 decimals: 1e-20 became 0 and 0.1 + 0.2 became 0.3), so it is exactly the double
// sum the memory store keeps.
const NUM = `local function num(x) return string.format('%.17g', x) end
`;

const CONSUME = `${NUM}
local amount = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local d = tonumber(redis.call('GET', KEYS[1]) or '0')
local w = tonumber(redis.call('GET', KEYS[2]) or '0')
local t = tonumber(redis.call('GET', KEYS[3]) or '0')
local s = tonumber(redis.call('GET', KEYS[4]) or '0')
local pd, pw, pt, b = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local k = ARGV[9] ~= ''
local ex = k and redis.call('GET', KEYS[5])
if ex then return {(ex == '1' or string.byte(ex) == 123) and 1 or 0, ex, num(d), num(w), num(t), num(s), 1} end
ex = ''
if pd >= 0 and d + amount > pd then ex = 'day'
elseif pw >= 0 and w + amount > pw then ex = 'week'
elseif pt >= 0 and t + amount > pt then ex = 'total'
elseif b >= 0 and cost > 0 and s + cost > b + 1e-9 then ex = 'budget' end
if k then redis.call('SET', KEYS[5], ex == '' and ARGV[9] or ex, 'PX', ARGV[7]) end
if ex ~= '' then return {0, ex, num(d), num(w), num(t), num(s)} end
d = redis.call('INCRBY', KEYS[1], amount)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
w = redis.call('INCRBY', KEYS[2], amount)
redis.call('PEXPIRE', KEYS[2], ARGV[8])
t = redis.call('INCRBY', KEYS[3], amount)
if cost > 0 then
  s = s + cost
  redis.call('SET', KEYS[4], num(s))
end
return {1, '', num(d), num(w), num(t), num(s)}
`;

// KEYS as above; ARGV: amount, cost, '1' when keyed (the key is forgotten). Decrement without going below zero,
// keeping each key's expiry; a key that does not exist (never consumed, or expired) stays absent.
const RELEASE = `${NUM}
if ARGV[3] == '1' then redis.call('DEL', KEYS[5]) end
local out = {}
for i = 1, 4 do
  local by = tonumber(i == 4 and ARGV[2] or ARGV[1])
  local v = tonumber(redis.call('GET', KEYS[i]) or '0') - by
  if v < 0 then v = 0 end
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('SET', KEYS[i], num(v), 'KEEPTTL') end
  out[i] = num(v)
end
return out
`;

/**
 * Options of {@link RedisOfferCapacityStore}.
 * @example
 * ```ts
 * import type { Redis } from 'ioredis';
 *
 * declare const redis: Redis;
 *
 * new RedisOfferCapacityStore(redis, { prefix: 'shop' });
 * ```
 */
export interface RedisOfferCapacityStoreOptions {
  /**
   * Key prefix (default `cc`). Keys are `<prefix>:{offer:<id>}:cap:<day|week>:<start>`, `…:cap:total`, `…:cap:spent`,
   * and `…:cap:key:<day start>:<key>` for a keyed call's outcome (expiring with the day's counter).
   */
  readonly prefix?: string;
}

/**
 * {@link OfferCapacityStore} on Redis: one Lua script checks every limit and increments the day, week, total
 * and budget counters of an offer atomically, so capacity is never exceeded across any number of service
 * instances. All keys of one offer share the hash tag `{offer:<id>}` (Redis Cluster safe); day and week
 * counters expire a day after their window ends (a TTL of `windowEnd − now + 1 day`, run on the server's clock).
 * `spent` keeps full double precision: it is the double sum of the costs granted, as in the memory store.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const store = new RedisOfferCapacityStore(new Redis(), { prefix: 'shop' });
 * const r = await store.consume('call-slot', { perDay: 500, timeZone: 'Europe/Paris' }, Date.now());
 * ```
 */
export class RedisOfferCapacityStore implements OfferCapacityStore {
  private readonly prefix: string;
  private readonly redis: Scripted;

  constructor(redis: Redis | Cluster, options: RedisOfferCapacityStoreOptions = {}) {
    expectRedisClient(redis, true);
    this.prefix = prefixOption(options, 'cc');
    const scripted = redis as Scripted;
    // defineCommand sends EVALSHA and falls back to EVAL on the node that lacks the script: a SCRIPT LOAD on one
    // cluster node does not load it on the node that owns the offer's slot.
    if (typeof scripted.ccOfferConsume !== 'function') {
      redis.defineCommand('ccOfferConsume', { numberOfKeys: 5, lua: CONSUME });
      redis.defineCommand('ccOfferRelease', { numberOfKeys: 5, lua: RELEASE });
    }
    this.redis = scripted;
  }

  async consume(offerId: string, spec: OfferCapacitySpec, now: EpochMs, amount = 1, key?: string): Promise<ConsumeResult> {
    checkConsume(offerId, spec, now, amount, key);
    const win = capacityWindows(spec, now);
    const cost = unitCost(spec) * amount;
    const lim = (v: number | undefined): string => (v === undefined ? '-1' : String(v));
    const reservation: CapacityReservation = { offerId, amount, cost, ...win, ...(key === undefined ? {} : { key }) };
    const reply = (await this.run('ccOfferConsume', this.keys(offerId, win.dayStart, win.weekStart, key), [
      String(amount),
      String(cost),
      lim(spec.perDay),
      lim(spec.perWeek),
      lim(spec.total),
      lim(spec.budget),
      String(Math.max(1, win.dayEnd - now + DAY)),
      String(Math.max(1, win.weekEnd - now + DAY)),
      key === undefined ? '' : JSON.stringify(reservation),
    ])) as [number, string, string, string, string, string, number?];
    const usage: OfferUsage = { day: Number(reply[2]), week: Number(reply[3]), total: Number(reply[4]), spent: Number(reply[5]) };
    if (reply[0] !== 1) return { ok: false, exhausted: reply[1] as 'day' | 'week' | 'total' | 'budget', usage };
    // A replay answers with the first call's reservation ('1': stored by a version that kept no reservation).
    return reply[6] ? { ok: true, reservation: reply[1] === '1' ? reservation : (JSON.parse(reply[1]) as CapacityReservation), usage, replayed: true } : { ok: true, reservation, usage };
  }

  async release(reservation: CapacityReservation): Promise<OfferUsage> {
    checkRelease(reservation);
    const r = (await this.run('ccOfferRelease', this.keys(reservation.offerId, reservation.dayStart, reservation.weekStart, reservation.key), [
      String(reservation.amount),
      String(reservation.cost),
      reservation.key === undefined ? '' : '1',
    ])) as [string, string, string, string];
    return { day: Number(r[0]), week: Number(r[1]), total: Number(r[2]), spent: Number(r[3]) };
  }

  async usage(offerIds: ReadonlyArray<string>, spec: Pick<OfferCapacitySpec, 'timeZone' | 'weekStartsOn'>, now: EpochMs): Promise<Map<string, OfferUsage>> {
    checkUsage(offerIds, spec, now);
    const win = capacityWindows(spec, now);
    // One MGET per offer: an offer's keys share a slot, different offers may not (a pipeline must stay in one slot
    // on a cluster), so the reads go out concurrently instead.
    let replies: Array<Array<string | null>>;
    try {
      replies = await Promise.all(offerIds.map((id) => this.redis.mget(...this.keys(id, win.dayStart, win.weekStart))));
    } catch (e) {
      throw storeError(e);
    }
    const out = new Map<string, OfferUsage>();
    offerIds.forEach((id, i) => {
      const vals = replies[i]!;
      out.set(id, { day: Number(vals[0] ?? 0), week: Number(vals[1] ?? 0), total: Number(vals[2] ?? 0), spent: Number(vals[3] ?? 0) });
    });
    return out;
  }

  private keys(offerId: string, dayStart: number, weekStart: number, key = ''): string[] {
    return [
      offerKey(this.prefix, offerId, `cap:day:${dayStart}`),
      offerKey(this.prefix, offerId, `cap:week:${weekStart}`),
      offerKey(this.prefix, offerId, 'cap:total'),
      offerKey(this.prefix, offerId, 'cap:spent'),
      offerKey(this.prefix, offerId, `cap:key:${dayStart}:${key}`),
    ];
  }

  private async run(command: 'ccOfferConsume' | 'ccOfferRelease', keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis[command]!(...keys, ...args);
    } catch (e) {
      throw storeError(e);
    }
  }
}

function storeError(e: unknown): CrossChannelError {
  return redisStoreError('Redis offer capacity store', e);
}
