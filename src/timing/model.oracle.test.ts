import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelAffinity, hourProfile, refit } from './fit.js';
import { TimingModel } from './model.js';

// The guide's model rebuilt from docs/timing.md alone (second-round audit, 2026-12-07): first responses per contact
// with the memory of the last 4 answered contacts, responded and converted never above sent, hours on the person's
// local clock (read with Intl, not core's offset tables), then population (+1 per hour, Laplace) → segment → person
// posterior means with method-of-moments concentrations clamped to [1, 10⁴] (fallback under 10 units with n ≥ 2).

const H = 168;
const CH = ['email', 'sms'] as const;
const ZONES = ['Europe/Paris', 'America/Havana', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Apia', 'Asia/Kathmandu'];
const KINDS = ['opened', 'clicked', 'converted', 'refused'] as const;
const NOW = Date.parse('2026-04-05T12:00:00Z');
const formats = new Map<string, Intl.DateTimeFormat>();
function localHourOfWeek(ms: number, zone: string): number {
  let f = formats.get(zone);
  if (f === undefined) formats.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: 'numeric' })));
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!) * 24 + Number(parts.hour);
}

type Person = { zone: string; segment: string | undefined; x: number[]; cnt: number[][]; ring: Array<string | null>; conv: boolean[]; next: number };
type Unit = [n: number, squares: number, q: number];
function alpha(units: Unit[], fallback: number): number {
  const u = units.filter(([n, , q]) => n >= 2 && q > 0);
  const pairs = u.reduce((s, [n, , q]) => s + n * (n - 1) * q, 0);
  if (u.length < 10 || pairs <= 0) return fallback;
  const c = (u.reduce((s, [, S]) => s + S, 0) - u.reduce((s, [n, , q]) => s + n * q, 0)) / pairs;
  return c <= 0 ? 1e4 : Math.min(Math.max(1 / c - 1, 1), 1e4);
}
const squares = (x: number[], n: number, pi: number[]): number => x.reduce((s, v, h) => s + (v - n * pi[h]!) ** 2, 0);
const q = (pi: number[]): number => 1 - pi.reduce((s, v) => s + v * v, 0);
const sum = (x: number[]): number => x.reduce((s, v) => s + v, 0);
const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

const eventArb = fc.oneof(
  { weight: 1, arbitrary: fc.record({ t: fc.constant('profile' as const), p: fc.nat(24), zone: fc.constantFrom(...ZONES), segment: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('contact' as const), p: fc.nat(24), ch: fc.nat(1), at: fc.integer({ min: NOW - 10 * 86_400_000, max: NOW }) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('response' as const), p: fc.nat(24), ch: fc.nat(1), kind: fc.constantFrom(...KINDS), at: fc.integer({ min: NOW - 10 * 86_400_000, max: NOW }), contact: fc.nat(9) }) },
);

describe('the model against the guide rebuilt independently (audit 2, 2026-12-07)', () => {
  it('counts, hour profiles, rates and concentrations agree to 1e-9 on random event streams across DST changes', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 100, maxLength: 700 }), fc.constantFrom(undefined, { hours: 3, channels: 2 }), (events, fixed) => {
        const model = new TimingModel({ channels: [...CH], timeZone: 'Europe/Paris', ...(fixed ? { fixedConcentration: fixed } : {}) });
        const P = new Map<string, Person>();
        const person = (id: string): Person => {
          let p = P.get(id);
          if (p === undefined) P.set(id, (p = { zone: 'Europe/Paris', segment: undefined, x: Array<number>(H).fill(0), cnt: CH.map(() => [0, 0, 0]), ring: [null, null, null, null], conv: [false, false, false, false], next: 0 }));
          return p;
        };
        for (const e of events) {
          const id = `p${e.p}`;
          if (e.t === 'profile') {
            model.setProfile(id, { timeZone: e.zone, segment: e.segment });
            Object.assign(person(id), { zone: e.zone }, e.segment === undefined ? {} : { segment: e.segment });
          } else if (e.t === 'contact') {
            model.observeContact({ subjectId: id, channel: CH[e.ch]!, at: e.at }, NOW);
            const c = person(id).cnt[e.ch]!;
            c[0] = c[0]! + 1;
          } else {
            const p = P.get(id);
            const contactId = `c${e.contact}`;
            if (p === undefined || p.cnt[e.ch]![0] === 0) {
              expect(() => model.observeResponse({ subjectId: id, channel: CH[e.ch]!, kind: e.kind, at: e.at, contactId }, NOW)).toThrow(expect.objectContaining({ code: 'TIMING_RESPONSE_WITHOUT_CONTACT' }));
              continue;
            }
            model.observeResponse({ subjectId: id, channel: CH[e.ch]!, kind: e.kind, at: e.at, contactId }, NOW);
            if (e.kind === 'refused') continue;
            const c = p.cnt[e.ch]!;
            let slot = p.ring.indexOf(contactId);
            if (slot < 0) {
              slot = p.next;
              p.next = (slot + 1) % 4;
              p.ring[slot] = contactId;
              p.conv[slot] = false;
              const h = localHourOfWeek(e.at, p.zone);
              p.x[h] = p.x[h]! + 1;
              if (c[1]! < c[0]!) c[1] = c[1]! + 1;
            }
            if (e.kind === 'converted' && !p.conv[slot]) {
              p.conv[slot] = true;
              if (c[2]! < c[0]!) c[2] = c[2]! + 1;
            }
          }
        }
        const people = [...P.values()];
        const pop = Array<number>(H).fill(0);
        for (const p of people) p.x.forEach((v, h) => (pop[h]! += v));
        const piPop = pop.map((v) => (v + 1) / (sum(pop) + H));
        const segs = [...new Set(people.map((p) => p.segment).filter((s): s is string => s !== undefined))];
        const segX = new Map(segs.map((s) => [s, Array<number>(H).fill(0)]));
        for (const p of people) if (p.segment !== undefined) p.x.forEach((v, h) => (segX.get(p.segment!)![h]! += v));
        const aSeg = fixed?.hours ?? alpha(segs.map((s) => [sum(segX.get(s)!), squares(segX.get(s)!, sum(segX.get(s)!), piPop), q(piPop)]), 24);
        const piSeg = (s: string | undefined): number[] => (s === undefined ? piPop : segX.get(s)!.map((v, h) => (v + aSeg * piPop[h]!) / (sum(segX.get(s)!) + aSeg)));
        const aPerson = fixed?.hours ?? alpha(people.map((p) => [sum(p.x), squares(p.x, sum(p.x), piSeg(p.segment)), q(piSeg(p.segment))]), 24);
        const fit = refit(model);
        if (!near(fit.hours.segment, aSeg) || !near(fit.hours.person, aPerson)) throw new Error(`concentrations ${JSON.stringify(fit.hours)} vs ${aSeg}, ${aPerson}`);
        for (const [id, p] of [...P, ['stranger', undefined] as const]) {
          const n = p === undefined ? 0 : sum(p.x);
          const base = piSeg(p?.segment);
          const want = n === 0 ? base : p!.x.map((v, h) => (v + aPerson * base[h]!) / (n + aPerson));
          const got = hourProfile(model, id);
          for (let h = 0; h < H; h++) if (!near(got[h]!, want[h]!)) throw new Error(`${id} hour ${h}: ${got[h]} vs ${want[h]}`);
          CH.forEach((ch, i) => {
            const cnt = p?.cnt[i] ?? [0, 0, 0];
            const a = channelAffinity(model, id, ch);
            expect([a.contacts, a.responses, a.conversions]).toEqual(cnt);
            for (const k of [1, 2] as const) {
              // Beta-binomial: S = 2(x − np)², q = 2p(1 − p); population (R + 1) / (S + 2).
              const all = people.reduce((s, o) => [s[0]! + o.cnt[i]![0]!, s[1]! + o.cnt[i]![k]!], [0, 0]);
              const pr = (all[1]! + 1) / (all[0]! + 2);
              const segC = (s: string): number[] => people.filter((o) => o.segment === s).reduce((t, o) => [t[0]! + o.cnt[i]![0]!, t[1]! + o.cnt[i]![k]!], [0, 0]);
              const aS = fixed?.channels ?? alpha(segs.map((s): Unit => [segC(s)[0]!, 2 * (segC(s)[1]! - segC(s)[0]! * pr) ** 2, 2 * pr * (1 - pr)]), 10);
              const rateOf = (s: string | undefined): number => (s === undefined ? pr : (segC(s)[1]! + aS * pr) / (segC(s)[0]! + aS));
              const aP = fixed?.channels ?? alpha(people.map((o): Unit => [o.cnt[i]![0]!, 2 * (o.cnt[i]![k]! - o.cnt[i]![0]! * rateOf(o.segment)) ** 2, 2 * rateOf(o.segment) * (1 - rateOf(o.segment))]), 10);
              const want = (cnt[k]! + aP * rateOf(p?.segment)) / (cnt[0]! + aP);
              const rate = k === 1 ? a.responseRate : a.conversionRate;
              if (!near(rate, want)) throw new Error(`${id} ${ch} ${k === 1 ? 'response' : 'conversion'} rate ${rate} vs ${want}`);
            }
          });
        }
      }),
      { numRuns: 120 },
    );
  }, 60_000);
});
