/**
 * Mutation test of the conformance kit (`crosschannel/testing`): each mutant is a shipped memory store with ONE
 * plausible integrator bug that breaks a documented contract (the ports' TSDoc, docs/adapters.md). The kit is run
 * against every mutant here, its cases collected instead of registered, and at least one case must fail: a kit
 * that lets a mutant through would let that bug through to production. A control run checks the unmutated stores
 * pass every case under the same collector.
 */
import { describe, expect, it, vi } from 'vitest';

// The kit registers its cases with vitest's `it`/`describe`/hooks; while `collector.on`, they are collected here.
const collector = vi.hoisted(() => {
  type Fn = () => unknown;
  interface Suite { readonly parent: Suite | null; readonly before: Fn[]; readonly after: Fn[] }
  interface Case { readonly name: string; readonly fn: Fn; readonly suite: Suite }
  const state = { on: false, suite: null as Suite | null, cases: [] as Case[] };
  const inSuite = (fn: Fn) => {
    const parent = state.suite;
    state.suite = { parent, before: [], after: [] };
    try {
      fn();
    } finally {
      state.suite = parent;
    }
  };
  return { state, inSuite };
});

vi.mock('vitest', async (importOriginal) => {
  const real = await importOriginal<typeof import('vitest')>();
  const { state, inSuite } = collector;
  const it = (name: string, fn: () => unknown, timeout?: number) => (state.on ? void state.cases.push({ name, fn, suite: state.suite! }) : real.it(name, fn, timeout));
  const describe = Object.assign((name: string, fn: () => void) => (state.on ? inSuite(fn) : real.describe(name, fn)), {
    skipIf: (skip: boolean) => (name: string, fn: () => void) => (state.on ? (skip ? undefined : inSuite(fn)) : real.describe.skipIf(skip)(name, fn)),
  });
  const beforeEach = (fn: () => unknown) => (state.on ? void state.suite!.before.push(fn) : real.beforeEach(fn));
  const afterEach = (fn: () => unknown) => (state.on ? void state.suite!.after.push(fn) : real.afterEach(fn));
  return { ...real, it, describe, beforeEach, afterEach };
});

import { MemoryAssignmentStore } from '../../src/adapters/memory/assignments.js';
import { MemoryConsentStore } from '../../src/adapters/memory/consent.js';
import { MemoryContactHistoryStore } from '../../src/adapters/memory/contact-history.js';
import { MemoryEventStore } from '../../src/adapters/memory/events.js';
import { MemoryIdentityStore } from '../../src/adapters/memory/identity.js';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { MemoryOfferCapacityStore } from '../../src/adapters/memory/offer-capacity.js';
import { capacityWindows, type OfferCapacityStore } from '../../src/arbitration/store.js';
import { evaluateCaps } from '../../src/capping/evaluate.js';
import type { ContactHistoryStore } from '../../src/capping/store.js';
import type { ConsentStore } from '../../src/consent/store.js';
import { CrossChannelError } from '../../src/core/errors.js';
import { parseContactRecord, type ContactRecord, type History } from '../../src/core/records.js';
import type { AssignmentStore } from '../../src/experiments/store.js';
import type { IdentityStore } from '../../src/identity/store.js';
import type { JourneyStore } from '../../src/journeys/store.js';
import { parseEventBatch, type EventStore } from '../../src/segments/store.js';
import {
  CONFORMANCE_ERASURE_SALT,
  runAssignmentStoreConformance,
  runConsentStoreConformance,
  runContactHistoryStoreConformance,
  runEventStoreConformance,
  runIdentityStoreConformance,
  runJourneyStoreConformance,
  runOfferCapacityStoreConformance,
  type IdentityStoreOpener,
} from '../../src/testing/index.js';

/** Mutants rewrite arguments and answers loosely on purpose. */
type Any = any;

/** Runs one kit against stores from `make`, each case with its hooks, and returns the names of the failed cases. */
async function failedCases<T>(run: (targets: () => T | Promise<T>) => void, make: () => T | Promise<T>): Promise<string[]> {
  const { state } = collector;
  state.on = true;
  state.cases = [];
  state.suite = null;
  try {
    collector.inSuite(() => run(make));
  } finally {
    state.on = false;
  }
  const failed: string[] = [];
  for (const c of state.cases) {
    const chain: Array<typeof c.suite> = [];
    for (let s: typeof c.suite | null = c.suite; s; s = s.parent) chain.unshift(s);
    try {
      for (const s of chain) for (const f of s.before) await f();
      await Promise.race([c.fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 20_000).unref())]);
    } catch {
      failed.push(c.name);
    } finally {
      for (const s of chain.reverse()) for (const f of s.after) await f();
    }
  }
  return failed;
}

/** The store with some methods replaced (the others are the store's own, bound to it). */
function mutate<T extends object>(base: T, over: Partial<Record<keyof T, (...args: Any[]) => Any>>): T {
  return new Proxy(base, {
    get: (t, p) => {
      if (Object.hasOwn(over, p)) return (over as Any)[p];
      const v = (t as Any)[p];
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

const tick = () => new Promise((r) => setTimeout(r, 1));
const bump = (x: number | undefined, d: number) => (x === undefined ? x : x + d);

// ─── Contact history ─────────────────────────────────────────────────────────────────────────────────────────────
type CH = ContactHistoryStore;
/** A contact-history mutant: `over` gets a fresh memory store and returns its replaced methods. */
const ch = (over: (b: CH) => Partial<Record<keyof CH, (...a: Any[]) => Any>>) => () => {
  const b = new MemoryContactHistoryStore({ maxSubjects: 1000 });
  return mutate<CH>(b, over(b));
};
/** Maps subject ids through `key` on the way in (a lossy column or collation), answering under the id asked. */
const lossySubjects = (key: (s: string) => string) =>
  ch((b) => ({
    recordContact: (c: Any) => b.recordContact({ ...c, subjectId: key(c.subjectId) }),
    recordResponse: (r: Any) => b.recordResponse({ ...r, subjectId: key(r.subjectId) }),
    reserve: (c: Any, rules: Any, o: Any) => b.reserve({ ...c, subjectId: key(c.subjectId) }, rules, o),
    history: async (s: string, since?: number) => {
      const h = await b.history(key(s), since);
      return { ...h, subjectId: s, contacts: h.contacts.map((c) => ({ ...c, subjectId: s })), responses: h.responses.map((r) => ({ ...r, subjectId: s })) };
    },
    erase: (s: string) => b.erase(key(s)),
  }));

/**
 * A store whose `reserve` is re-implemented faithfully (atomic behind a lock, outcomes kept per key, `evaluateCaps`
 * on the history read) except for `view`, what it hands `evaluateCaps`: a mutant of the reading side.
 */
const chReading = (view: (h: History, c: ContactRecord, now: number) => History) =>
  ch((b) => {
    let lock: Promise<unknown> = Promise.resolve();
    const outcomes = new Map<string, Any>();
    const reserve = async (input: Any, rules: Any, o: Any = {}) => {
      const c = parseContactRecord(input);
      const key = `${c.subjectId}\0${c.idempotencyKey ?? `id:${c.id}`}`;
      const kept = outcomes.get(key);
      if (kept && (!kept.granted || (await b.history(c.subjectId)).contacts.some((x) => x.id === kept.contact.id && x.at === kept.contact.at))) return { ...kept, replayed: true };
      const now = o.now ?? c.at;
      const h = await b.history(c.subjectId);
      const decision = evaluateCaps(view(h, c, now), rules, o.priority === undefined ? c : { ...c, priority: o.priority }, { now, timeZone: o.timeZone });
      if (decision.allowed) await b.recordContact(c);
      const outcome = { granted: decision.allowed, decision, contact: c, replayed: false };
      if (decision.allowed || c.idempotencyKey !== undefined) outcomes.set(key, outcome);
      return outcome;
    };
    // Prune and erase forget the outcomes of the contacts they delete, refusals as grants.
    const forget = (gone: (c: ContactRecord) => boolean) => {
      for (const [key, kept] of outcomes) if (gone(kept.contact)) outcomes.delete(key);
    };
    return {
      reserve: (c: Any, rules: Any, o: Any) => {
        const run = lock.then(() => reserve(c, rules, o));
        lock = run.catch(() => undefined);
        return run;
      },
      prune: async (before: number) => {
        const n = await b.prune(before);
        forget((c) => c.at < before);
        return n;
      },
      erase: async (s: string) => {
        await b.erase(s);
        forget((c) => c.subjectId === s);
      },
    };
  });

/**
 * Refused keys also kept beside the store, and replayed from there while kept: forgotten by a later reservation's
 * trim (`now − 400 days`, the memory store's retention) or only by the retry's own cut-off, and by prune and erase
 * as `forgets` says. While the store keeps a refusal too, both answers are the same.
 */
const chRefusals = (forgets: { trim: boolean; prune: boolean; erase: boolean }) =>
  ch((b) => {
    const refused = new Map<string, Any>();
    const k = (c: Any) => `${c.subjectId}\0${c.idempotencyKey}`;
    const drop = (gone: (r: Any) => boolean) => {
      for (const [key, r] of refused) if (gone(r)) refused.delete(key);
    };
    return {
      reserve: async (c: Any, rules: Any, o: Any = {}) => {
        const cut = (o.now ?? c?.at) - 400 * 86_400_000;
        if (forgets.trim) drop((r) => r.contact.subjectId === c?.subjectId && r.contact.at < cut);
        const kept = c?.idempotencyKey === undefined ? undefined : refused.get(k(c));
        if (kept && kept.contact.at >= cut) return { ...kept, replayed: true };
        const r = await b.reserve(c, rules, o);
        if (!r.granted && !r.replayed && c.idempotencyKey !== undefined) refused.set(k(c), r);
        return r;
      },
      prune: async (before: number) => (forgets.prune && drop((r) => r.contact.at < before), b.prune(before)),
      erase: async (s: string) => (forgets.erase && drop((r) => r.contact.subjectId === s), b.erase(s)),
    };
  });

const contactMutants: Record<string, () => CH> = {
  'history since is exclusive (> instead of >=)': ch((b) => ({ history: (s: string, since?: number) => b.history(s, bump(since, 1)) })),
  'history ignores since for responses': ch((b) => ({
    history: async (s: string, since?: number) => ({ ...(await b.history(s, since)), responses: (await b.history(s)).responses }),
  })),
  'history orders one instant by arrival': ch((b) => {
    const seq = new Map<string, number>();
    const note = (c: Any) => seq.has(`${c.subjectId}\0${c.id}`) || seq.set(`${c.subjectId}\0${c.id}`, seq.size);
    return {
      recordContact: async (c: Any) => (note(c), b.recordContact(c)),
      reserve: async (c: Any, r: Any, o: Any) => (note(c), b.reserve(c, r, o)),
      history: async (s: string, since?: number) => {
        const h = await b.history(s, since);
        const at = (c: Any) => seq.get(`${s}\0${c.id}`) ?? 0;
        return { ...h, contacts: [...h.contacts].sort((x, y) => x.at - y.at || at(x) - at(y)) };
      },
    };
  }),
  'history orders one instant by UTF-16 units (JavaScript <)': ch((b) => ({
    history: async (s: string, since?: number) => {
      const h = await b.history(s, since);
      return { ...h, contacts: [...h.contacts].sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)) };
    },
  })),
  'history returns times as strings': ch((b) => ({
    history: async (s: string, since?: number) => {
      const h = await b.history(s, since);
      return { ...h, contacts: h.contacts.map((c) => ({ ...c, at: String(c.at) })) };
    },
  })),
  'prune deletes at the cut-off too (<= instead of <)': ch((b) => ({ prune: (before: number) => b.prune(before + 1) })),
  'prune keeps records one ms older than the cut-off': ch((b) => ({ prune: (before: number) => b.prune(before - 1) })),
  'prune counts contacts only': ch((b) => {
    const subjects = new Set<string>();
    return {
      recordResponse: (r: Any) => (subjects.add(r.subjectId), b.recordResponse(r)),
      prune: async (before: number) => {
        let responses = 0;
        for (const s of subjects) responses += (await b.history(s)).responses.filter((r) => r.at < before).length;
        return (await b.prune(before)) - responses;
      },
    };
  }),
  'erase leaves the responses': ch((b) => ({
    erase: async (s: string) => {
      const { responses } = await b.history(s);
      await b.erase(s);
      for (const r of responses) await b.recordResponse(r);
    },
  })),
  'erase leaves the idempotency keys': ch((b) => {
    const keys = new Map<string, Any>();
    const k = (c: Any) => `${c.subjectId}\0${c.idempotencyKey}`;
    return {
      recordContact: async (c: Any) => {
        if (c.idempotencyKey !== undefined && keys.has(k(c))) return { recorded: false, contact: keys.get(k(c)) };
        const r = await b.recordContact(c);
        if (c.idempotencyKey !== undefined) keys.set(k(c), r.contact);
        return r;
      },
      prune: async (before: number) => {
        for (const [key, c] of keys) if (c.at < before) keys.delete(key);
        return b.prune(before);
      },
    };
  }),
  'recordContact ignores the idempotency key': ch((b) => ({ recordContact: ({ idempotencyKey: _k, ...c }: Any) => b.recordContact(c) })),
  'idempotency keys scoped globally, not per subject': ch((b) => {
    const keys = new Map<string, Any>();
    const seen = (c: Any) => c.idempotencyKey !== undefined && keys.has(c.idempotencyKey) && keys.get(c.idempotencyKey).subjectId !== c.subjectId;
    return {
      recordContact: async (c: Any) => {
        if (seen(c)) return { recorded: false, contact: keys.get(c.idempotencyKey) };
        const r = await b.recordContact(c);
        if (c.idempotencyKey !== undefined && !keys.has(c.idempotencyKey)) keys.set(c.idempotencyKey, r.contact);
        return r;
      },
      reserve: async (c: Any, rules: Any, o: Any) => {
        const r = await b.reserve(c, rules, o);
        if (c.idempotencyKey !== undefined && !keys.has(c.idempotencyKey)) keys.set(c.idempotencyKey, r.contact);
        return r;
      },
    };
  }),
  'a replayed reservation answers the retry’s contact': ch((b) => ({
    reserve: async (c: Any, rules: Any, o: Any) => {
      const r = await b.reserve(c, rules, o);
      return r.replayed ? { ...r, contact: { ...r.contact, id: c.id, at: c.at } } : r;
    },
  })),
  'a refused key is evaluated afresh on retry': ch((b) => {
    const refused = new Set<string>();
    return {
      reserve: async (c: Any, rules: Any, o: Any) => {
        const k = `${c.subjectId}\0${c.idempotencyKey}`;
        if (c.idempotencyKey !== undefined && refused.has(k)) return b.reserve({ ...c, idempotencyKey: undefined }, rules, o);
        const r = await b.reserve(c, rules, o);
        if (!r.granted && c.idempotencyKey !== undefined) refused.add(k);
        return r;
      },
    };
  }),
  'a refused key outlives a later reservation’s trim (replayed to an earlier retry)': chRefusals({ trim: false, prune: true, erase: true }),
  'prune keeps refused keys': chRefusals({ trim: true, prune: false, erase: true }),
  'erase keeps refused keys': chRefusals({ trim: true, prune: true, erase: false }),
  'reserve reads, awaits, then writes (not atomic)': ch((b) => ({
    reserve: async (c: Any, rules: Any, o: Any = {}) => {
      const parsed = (await b.recordContact.call(new MemoryContactHistoryStore(), c)).contact; // parse only
      const decision = evaluateCaps(await b.history(c.subjectId), rules, parsed, { now: o.now ?? parsed.at, timeZone: o.timeZone, ...(o.priority !== undefined ? { priority: o.priority } : {}) } as Any);
      await tick();
      if (decision.allowed) await b.recordContact(c);
      return { granted: decision.allowed, decision, contact: parsed, replayed: false };
    },
  })),
  'reserve records refused contacts too': ch((b) => ({
    reserve: async (c: Any, rules: Any, o: Any) => {
      const r = await b.reserve(c, rules, o);
      if (!r.granted) await b.recordContact(c);
      return r;
    },
  })),
  'reserve ignores the time zone option': ch((b) => ({ reserve: (c: Any, rules: Any, o: Any) => b.reserve(c, rules, { ...o, timeZone: undefined }) })),
  'reserve ignores the priority option': ch((b) => ({ reserve: (c: Any, rules: Any, o: Any) => b.reserve(c, rules, { ...o, priority: undefined }) })),
  'reserve evaluates at the contact’s time, ignoring now': ch((b) => ({ reserve: (c: Any, rules: Any, o: Any) => b.reserve(c, rules, { ...o, now: undefined }) })),
  'reserve evaluates in UTC, ignoring the rules’ zone': ch((b) => ({ reserve: (c: Any, rules: Any, o: Any) => b.reserve(c, rules, { timeZone: 'UTC', ...o }) })),
  'recordResponse drops another response under an id and instant already stored': ch((b) => {
    const seen = new Set<string>();
    return {
      recordResponse: async (r: Any) => {
        const k = `${r.subjectId}\0${r.id}\0${r.at}`;
        if (seen.has(k)) return;
        seen.add(k);
        return b.recordResponse(r);
      },
    };
  }),
  'recordResponse stores an identical response twice': ch((b) => {
    const count = new Map<string, number>();
    return {
      recordResponse: async (r: Any) => {
        const k = JSON.stringify([r.subjectId, r.id, r.at, r.kind]);
        count.set(k, (count.get(k) ?? 0) + 1);
        return b.recordResponse(r);
      },
      history: async (s: string, since?: number) => {
        const h = await b.history(s, since);
        return { ...h, responses: h.responses.flatMap((r) => Array.from({ length: count.get(JSON.stringify([s, r.id, r.at, r.kind])) ?? 1 }, () => r)) };
      },
    };
  }),
  'reserve reads only the candidate’s channel': chReading((h, c) => ({ ...h, contacts: h.contacts.filter((x) => x.channel === c.channel), responses: h.responses.filter((x) => x.channel === c.channel) })),
  'reserve reads only contacts sharing a tag with the candidate': chReading((h, c) => ({ ...h, contacts: h.contacts.filter((x) => x.tags.some((t) => c.tags.includes(t))) })),
  'reserve reads one day back only (lookback too short)': chReading((h, _c, now) => ({ ...h, contacts: h.contacts.filter((x) => x.at > now - 86_400_000) })),
  'reserve reads no responses': chReading((h) => ({ ...h, responses: [] })),
  'reserve skips transactional contacts when reading': chReading((h) => ({ ...h, contacts: h.contacts.filter((x) => !x.transactional) })),
  'reserve reads contacts up to the candidate’s time only': chReading((h, c) => ({ ...h, contacts: h.contacts.filter((x) => x.at <= c.at) })),
  'subject ids compared case-insensitively (a collation)': lossySubjects((s) => s.toLowerCase()),
  'subject ids truncated to 64 UTF-16 units': lossySubjects((s) => s.slice(0, 64)),
};

// ─── Offer capacity ──────────────────────────────────────────────────────────────────────────────────────────────
type OC = OfferCapacityStore;
const oc = (over: (b: OC) => Partial<Record<keyof OC, (...a: Any[]) => Any>>) => () => {
  const b = new MemoryOfferCapacityStore();
  return mutate<OC>(b, over(b));
};
const capacityMutants: Record<string, () => OC> = {
  'consume counts days in UTC, ignoring the time zone': oc((b) => ({ consume: (o: string, { timeZone: _z, ...spec }: Any, now: number, n?: number, k?: string) => b.consume(o, spec, now, n, k) })),
  'consume ignores weekStartsOn': oc((b) => ({ consume: (o: string, { weekStartsOn: _w, ...spec }: Any, now: number, n?: number, k?: string) => b.consume(o, spec, now, n, k) })),
  'usage ignores the time zone and first weekday': oc((b) => ({ usage: (ids: Any, _spec: Any, now: number) => b.usage(ids, {}, now) })),
  'perDay off by one': oc((b) => ({ consume: (o: string, spec: Any, now: number, n?: number, k?: string) => b.consume(o, { ...spec, perDay: bump(spec.perDay, 1) }, now, n, k) })),
  'perWeek off by one': oc((b) => ({ consume: (o: string, spec: Any, now: number, n?: number, k?: string) => b.consume(o, { ...spec, perWeek: bump(spec.perWeek, 1) }, now, n, k) })),
  'total off by one': oc((b) => ({ consume: (o: string, spec: Any, now: number, n?: number, k?: string) => b.consume(o, { ...spec, total: bump(spec.total, 1) }, now, n, k) })),
  'budget refuses a cost that lands exactly on it': oc((b) => ({
    consume: async (o: string, spec: Any, now: number, n = 1, k?: string) => {
      const u = (await b.usage([o], spec, now)).get(o)!;
      if (spec.budget !== undefined && u.spent + (spec.cost ?? 0) * n >= spec.budget && (spec.cost ?? 0) > 0) return { ok: false, exhausted: 'budget', usage: u };
      return b.consume(o, spec, now, n, k);
    },
  })),
  'consume ignores the amount': oc((b) => ({ consume: (o: string, spec: Any, now: number, _n?: number, k?: string) => b.consume(o, spec, now, 1, k) })),
  'consume ignores the idempotency key': oc((b) => ({ consume: (o: string, spec: Any, now: number, n?: number) => b.consume(o, spec, now, n) })),
  'consume checks usage, awaits, then takes (not atomic)': oc((b) => ({
    consume: async (o: string, spec: Any, now: number, n = 1, k?: string) => {
      const u = (await b.usage([o], spec, now)).get(o)!;
      await tick();
      const fits = (lim: number | undefined, used: number) => lim === undefined || used + n <= lim;
      if (!fits(spec.perDay, u.day) || !fits(spec.perWeek, u.week) || !fits(spec.total, u.total) || (spec.budget !== undefined && u.spent + (spec.cost ?? 0) * n > spec.budget)) {
        return b.consume(o, spec, now, n, k);
      }
      return b.consume(o, { timeZone: spec.timeZone, weekStartsOn: spec.weekStartsOn, cost: spec.cost }, now, n, k);
    },
  })),
  'idempotency keys shared across offers': oc((b) => {
    const first = new Map<string, Any>();
    return {
      consume: async (o: string, spec: Any, now: number, n?: number, k?: string) => {
        if (k !== undefined && first.has(k) && first.get(k).offerId !== o) return first.get(k).result.ok ? { ...first.get(k).result, replayed: true } : first.get(k).result;
        const r = await b.consume(o, spec, now, n, k);
        if (k !== undefined && !first.has(k)) first.set(k, { offerId: o, result: r });
        return r;
      },
    };
  }),
  'a released key is still replayed': oc((b) => {
    const grants = new Map<string, Any>();
    return {
      consume: async (o: string, spec: Any, now: number, n?: number, k?: string) => {
        const g = k === undefined ? undefined : grants.get(`${o}\0${k}`);
        if (g?.released) return { ...g.result, replayed: true };
        const r = await b.consume(o, spec, now, n, k);
        if (k !== undefined && r.ok && !r.replayed) grants.set(`${o}\0${k}`, { result: r, released: false });
        return r;
      },
      release: async (r: Any) => {
        const g = r?.key === undefined ? undefined : grants.get(`${r.offerId}\0${r.key}`);
        if (g) g.released = true;
        return b.release(r);
      },
    };
  }),
  'offer ids compared case-insensitively': oc((b) => ({
    consume: async (o: string, spec: Any, now: number, n?: number, k?: string) => {
      const r: Any = await b.consume(typeof o === 'string' ? o.toLowerCase() : o, spec, now, n, k);
      return r.ok ? { ...r, reservation: { ...r.reservation, offerId: o } } : r;
    },
    release: (r: Any) => b.release(typeof r?.offerId === 'string' ? { ...r, offerId: r.offerId.toLowerCase() } : r),
    usage: async (ids: Any, spec: Any, now: number) => {
      const u = await b.usage(Array.isArray(ids) ? ids.map((i) => (typeof i === 'string' ? i.toLowerCase() : i)) : ids, spec, now);
      return new Map((ids as string[]).map((i) => [i, u.get(i.toLowerCase())!]));
    },
  })),
  'release into the wall clock’s day and week, not the reservation’s': oc((b) => ({ release: (r: Any) => b.release({ ...r, ...capacityWindows({}, Date.now()) }) })),
  'release into the windows of the latest consume': oc((b) => {
    let last: Any;
    return {
      consume: (o: string, spec: Any, now: number, n?: number, k?: string) => ((last = [spec, now]), b.consume(o, spec, now, n, k)),
      release: (r: Any) => b.release(last ? { ...r, ...capacityWindows(last[0], last[1]) } : r),
    };
  }),
  'release gives the week back to the week after the reservation’s': oc((b) => ({ release: (r: Any) => b.release({ ...r, weekStart: r.weekEnd, weekEnd: r.weekEnd + 7 * 86_400_000 }) })),
  'release recomputes the windows from dayStart in UTC, weeks from Monday': oc((b) => ({ release: (r: Any) => b.release({ ...r, ...capacityWindows({}, r.dayStart) }) })),
  'offer ids truncated to 64 UTF-16 units': oc((b) => {
    const key = (o: Any) => (typeof o === 'string' ? o.slice(0, 64) : o);
    return {
      consume: async (o: string, spec: Any, now: number, n?: number, k?: string) => {
        const r: Any = await b.consume(key(o), spec, now, n, k);
        return r.ok ? { ...r, reservation: { ...r.reservation, offerId: o } } : r;
      },
      release: (r: Any) => b.release(typeof r?.offerId === 'string' ? { ...r, offerId: key(r.offerId) } : r),
      usage: async (ids: Any, spec: Any, now: number) => {
        const u = await b.usage(Array.isArray(ids) ? ids.map(key) : ids, spec, now);
        return new Map((ids as string[]).map((i) => [i, u.get(key(i))!]));
      },
    };
  }),
  'keys kept for good, not per local day': oc((b) => {
    const held = new Map<string, Any>();
    return {
      consume: async (o: string, spec: Any, now: number, n?: number, k?: string) => {
        const h = k === undefined ? undefined : held.get(`${o}\0${k}`);
        if (h) return h.ok ? { ...h, usage: (await b.usage([o], spec, now)).get(o), replayed: true } : { ...h, usage: (await b.usage([o], spec, now)).get(o) };
        const r = await b.consume(o, spec, now, n, k);
        if (k !== undefined && !(r as Any).replayed) held.set(`${o}\0${k}`, r);
        return r;
      },
      release: async (r: Any) => (r?.key !== undefined && held.delete(`${r.offerId}\0${r.key}`), b.release(r)),
    };
  }),
  'keys scoped by the UTC day, not the local day': oc((b) => {
    const held = new Map<string, Any>();
    return {
      consume: async (o: string, spec: Any, now: number, n?: number, k?: string) => {
        const key = `${o}\0${k}\0${capacityWindows({}, now).dayStart}`;
        const h = k === undefined ? undefined : held.get(key);
        if (h) return h.ok ? { ...h, usage: (await b.usage([o], spec, now)).get(o), replayed: true } : { ...h, usage: (await b.usage([o], spec, now)).get(o) };
        const r = await b.consume(o, spec, now, n, k === undefined ? undefined : `${k}\0${capacityWindows({}, now).dayStart}`);
        const out = r.ok && k !== undefined ? { ...r, reservation: { ...r.reservation, key: k } } : r;
        if (k !== undefined && !(r as Any).replayed) held.set(key, out);
        return out;
      },
      release: async (r: Any) => {
        if (r?.key !== undefined) for (const key of held.keys()) if (key.startsWith(`${r.offerId}\0${r.key}\0`)) held.delete(key);
        return b.release(r?.key === undefined ? r : { ...r, key: undefined });
      },
    };
  }),
  'a refused key is evaluated afresh': oc((b) => ({
    consume: async (o: string, spec: Any, now: number, n?: number, k?: string) => {
      const r = await b.consume(o, spec, now, n, k);
      return !r.ok && k !== undefined ? b.consume(o, spec, now, n) : r;
    },
  })),
  'release gives back the units but not the budget': oc((b) => ({ release: (r: Any) => b.release({ ...r, cost: 0 }) })),
  'release forgets the key but gives nothing back': oc((b) => ({ release: async (r: Any) => (await b.usage([r.offerId], {}, r.dayStart)).get(r.offerId) })),
};

// ─── Consent ledger ──────────────────────────────────────────────────────────────────────────────────────────────
type CO = ConsentStore;
const co = (over: (b: CO) => Partial<Record<keyof CO, (...a: Any[]) => Any>>) => () => {
  const b = new MemoryConsentStore({ erasureSalt: CONFORMANCE_ERASURE_SALT });
  return mutate<CO>(b, over(b));
};
const conflict = () => new CrossChannelError('STORE_CONFLICT' as never, 'event id already stored');
const lossyConsent = (key: (s: string) => string) =>
  co((b) => ({
    append: (e: Any) => b.append({ ...e, subjectId: key(e.subjectId) }),
    events: async (s: string) => (await b.events(key(s))).map((e) => ({ ...e, subjectId: s })),
    erase: (s: string, now: number) => b.erase(key(s), now),
    erasure: (s: string) => b.erasure(key(s)),
  }));
const consentMutants: Record<string, () => CO> = {
  'events of one instant ordered by id': co((b) => ({ events: async (s: string) => (await b.events(s)).sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)) })),
  'events of one instant: only the last kept': co((b) => ({ events: async (s: string) => (await b.events(s)).filter((e, i, all) => all[i + 1]?.at !== e.at) })),
  'events ordered by time as text': co((b) => ({ events: async (s: string) => (await b.events(s)).sort((x, y) => (String(x.at) < String(y.at) ? -1 : String(x.at) > String(y.at) ? 1 : 0)) })),
  'an identical append fails with STORE_CONFLICT': co((b) => ({
    append: async (e: Any) => {
      if ((await b.events(e.subjectId)).some((x) => x.id === e.id)) throw conflict();
      return b.append(e);
    },
  })),
  'a rewrite under an existing id is silently ignored': co((b) => ({
    append: async (e: Any) => {
      if ((await b.events(e.subjectId)).some((x) => x.id === e.id)) return;
      return b.append(e);
    },
  })),
  'every erase makes a new receipt': co((b) => ({ erase: async (s: string, now: number) => ({ ...(await b.erase(s, now)), erasedAt: now }) })),
  'erase keeps the events': co((b) => ({
    erase: async (s: string, now: number) => {
      const kept = await b.events(s);
      const r = await b.erase(s, now);
      for (const e of kept) await b.append(e);
      return r;
    },
  })),
  'subject ids compared case-insensitively': lossyConsent((s: string) => s.toLowerCase()),
  'subject ids truncated to 64 UTF-16 units': lossyConsent((s: string) => s.slice(0, 64)),
  'erase reports no events deleted': co((b) => ({ erase: async (s: string, now: number) => ({ ...(await b.erase(s, now)), eventCount: 0 }) })),
};

// ─── Events ──────────────────────────────────────────────────────────────────────────────────────────────────────
type EV = EventStore;
const ev = (over: (b: EV) => Partial<Record<keyof EV, (...a: Any[]) => Any>>) => () => {
  const b = new MemoryEventStore();
  return mutate<EV>(b, over(b));
};
const lossyEvents = (key: (s: string) => string) =>
  ev((b) => ({
    append: (events: Any[]) => b.append(events.map((e) => (typeof e?.subjectId === 'string' ? { ...e, subjectId: key(e.subjectId) } : e))),
    read: async (s: string, o?: Any) => (await b.read(key(s), o)).map((e) => ({ ...e, subjectId: s })),
    erase: (s: string) => b.erase(key(s)),
  }));
const eventMutants: Record<string, () => EV> = {
  'read includes to (<= instead of <)': ev((b) => ({ read: (s: string, o: Any = {}) => b.read(s, { ...o, ...(typeof o.to === 'number' && Number.isFinite(o.to) ? { to: o.to + 1 } : {}) }) })),
  'read excludes from (> instead of >=)': ev((b) => ({ read: (s: string, o: Any = {}) => b.read(s, { ...o, ...(typeof o.from === 'number' && Number.isFinite(o.from) ? { from: o.from + 1 } : {}) }) })),
  'read ignores types when a window is given': ev((b) => ({ read: (s: string, o: Any = {}) => b.read(s, o.from !== undefined || o.to !== undefined ? { ...o, types: undefined } : o) })),
  'read orders one instant by id': ev((b) => ({ read: async (s: string, o?: Any) => (await b.read(s, o)).sort((x, y) => x.at - y.at || (String(x.id) < String(y.id) ? -1 : String(x.id) > String(y.id) ? 1 : 0)) })),
  'append keeps duplicates': ev((b) => {
    const count = new Map<string, number>();
    return {
      append: async (events: Any[]) => {
        const n = await b.append(events);
        for (const e of events) if (e?.id !== undefined) count.set(`${e.subjectId}\0${e.id}`, (count.get(`${e.subjectId}\0${e.id}`) ?? 0) + 1);
        return n === 0 ? 0 : events.length;
      },
      read: async (s: string, o?: Any) => (await b.read(s, o)).flatMap((e) => Array.from({ length: e.id === undefined ? 1 : count.get(`${s}\0${e.id}`) ?? 1 }, () => e)),
    };
  }),
  'append keys id-less events by content (drops look-alikes)': ev((b) => {
    const seen = new Set<string>();
    return {
      append: async (events: Any[]) => {
        const keep = parseEventBatch(events).filter((e) => {
          if (e.id !== undefined) return true;
          const k = JSON.stringify([e.subjectId, e.type, e.at, e.properties]);
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        return b.append(keep);
      },
    };
  }),
  'append writes event by event (not all or nothing)': ev((b) => ({
    append: async (events: Any[]) => {
      let n = 0;
      for (const e of events) n += await b.append([e]);
      return n;
    },
  })),
  'append within one call keeps the last of an id': ev((b) => ({
    append: (events: Any[]) => {
      const last = new Map<string, number>();
      events.forEach((e, i) => e?.id !== undefined && last.set(`${e.subjectId}\0${e.id}`, i));
      return b.append(events.filter((e, i) => e?.id === undefined || last.get(`${e.subjectId}\0${e.id}`) === i));
    },
  })),
  'subject ids compared case-insensitively': lossyEvents((s: string) => s.toLowerCase()),
  'subject ids truncated to 64 UTF-16 units': lossyEvents((s: string) => s.slice(0, 64)),
  'erase reports 0': ev((b) => ({ erase: async (s: string) => (await b.erase(s), 0) })),
  'read returns times as strings': ev((b) => ({ read: async (s: string, o?: Any) => (await b.read(s, o)).map((e) => ({ ...e, at: String(e.at) })) })),
};

// ─── Assignments ─────────────────────────────────────────────────────────────────────────────────────────────────
type AS = AssignmentStore;
const as = (over: (b: AS) => Partial<Record<keyof AS, (...a: Any[]) => Any>>) => () => {
  const b = new MemoryAssignmentStore();
  return mutate<AS>(b, over(b));
};
const lossyUnits = (key: (s: string) => string) =>
  as((b) => ({
    putIfAbsent: async (a: Any) => {
      const r = await b.putIfAbsent(typeof a?.unitId === 'string' ? { ...a, unitId: key(a.unitId) } : a);
      return { ...r, stored: { ...r.stored, unitId: a.unitId } };
    },
    get: async (e: string, u: string) => {
      const r = await b.get(e, key(u));
      return r && { ...r, unitId: u };
    },
    list: async (u: string) => (await b.list(key(u))).map((r) => ({ ...r, unitId: u })),
    erase: (u: string) => b.erase(key(u)),
  }));
const assignmentMutants: Record<string, () => AS> = {
  'putIfAbsent reads, awaits, then writes (last writer wins)': as((b) => {
    const over = new Map<string, Any>();
    return {
      putIfAbsent: async (a: Any) => {
        const existing = await b.get(a.experimentId, a.unitId);
        await tick();
        if (existing && !over.has(`${a.experimentId}\0${a.unitId}`)) return { stored: existing, created: false };
        const r = await b.putIfAbsent(a);
        if (!r.created) over.set(`${a.experimentId}\0${a.unitId}`, a);
        return { stored: a, created: true };
      },
      get: async (e: string, u: string) => over.get(`${e}\0${u}`) ?? b.get(e, u),
    };
  }),
  'putIfAbsent answers the caller’s record when one is stored': as((b) => ({
    putIfAbsent: async (a: Any) => {
      const r = await b.putIfAbsent(a);
      return r.created ? r : { stored: a, created: false };
    },
  })),
  'list sorted by localeCompare': as((b) => ({ list: async (u: string) => (await b.list(u)).sort((x, y) => x.experimentId.localeCompare(y.experimentId)) })),
  'list in insertion order': as((b) => {
    const order: string[] = [];
    return {
      putIfAbsent: async (a: Any) => (order.push(a.experimentId), b.putIfAbsent(a)),
      list: async (u: string) => (await b.list(u)).sort((x, y) => order.indexOf(x.experimentId) - order.indexOf(y.experimentId)),
    };
  }),
  'unit ids compared case-insensitively': lossyUnits((s: string) => s.toLowerCase()),
  'unit ids truncated to 64 UTF-16 units': lossyUnits((s: string) => s.slice(0, 64)),
  'erase reports 0': as((b) => ({ erase: async (u: string) => (await b.erase(u), 0) })),
  'get answers the unit’s record of another experiment': as((b) => ({ get: async (e: string, u: string) => (await b.get(e, u)) ?? (await b.list(u)).find(() => true) ?? null })),
};

// ─── Identity ────────────────────────────────────────────────────────────────────────────────────────────────────
type ID = IdentityStore;
const idm = (over: (b: ID) => Partial<Record<keyof ID, (...a: Any[]) => Any>>) => (): IdentityStoreOpener => ({
  open: async (o) => {
    const b = new MemoryIdentityStore(o);
    return mutate<ID>(b, over(b));
  },
});
/** Every identifier value the store is given rewritten by `f` (a store that truncates or case-folds them). */
function identifierValuesMapped(b: ID, f: (value: string) => string): Partial<Record<keyof ID, (...a: Any[]) => Any>> {
  const cut = (i: Any) => (i && typeof i === 'object' && typeof i.value === 'string' ? { ...i, value: f(i.value) } : i);
  const cutAll = (xs: Any) => (Array.isArray(xs) ? xs.map(cut) : xs);
  return {
    addObservations: (obs: Any) => b.addObservations(Array.isArray(obs) ? obs.map((o) => (o && typeof o === 'object' ? { ...o, identifiers: cutAll(o.identifiers) } : o)) : obs),
    lookup: (i: Any) => b.lookup(cut(i)),
    resolve: (xs: Any) => b.resolve(cutAll(xs)),
    removeIdentifier: (i: Any, now: number) => b.removeIdentifier(cut(i), now),
    wasErased: (i: Any) => b.wasErased(cut(i)),
  };
}
const identityMutants: Record<string, () => IdentityStoreOpener> = {
  'stitches without the merge-protection limits': (): IdentityStoreOpener => ({ open: async (o) => new MemoryIdentityStore({ ...o, rules: { ...o.rules, limits: {} } }) }),
  'stitches without the anonymous-id time-to-live': (): IdentityStoreOpener => ({ open: async (o) => new MemoryIdentityStore({ ...o, rules: { ...o.rules, ttl: {} } }) }),
  'merges on blocked values (no default blocklist)': (): IdentityStoreOpener => ({ open: async (o) => new MemoryIdentityStore({ ...o, rules: { ...o.rules, blocked: { defaults: false } } }) }),
  'normalises phones without the default country': (): IdentityStoreOpener => ({ open: async (o) => new MemoryIdentityStore({ ...o, rules: { ...o.rules, normalization: {} } }) }),
  'a store-wide salt of its own (ignores erasureSalt)': (): IdentityStoreOpener => ({ open: async (o) => new MemoryIdentityStore({ ...o, erasureSalt: 'mine' }) }),
  'resolve answers the first known identifier, not the strongest': idm((b) => ({
    resolve: async (ids: Any[]) => {
      for (const i of ids) {
        const p = await b.lookup(i);
        if (p !== null) return p;
      }
      return null;
    },
  })),
  'wasErased always false': idm(() => ({ wasErased: async () => false })),
  'identifiersOf weakest first': idm((b) => ({ identifiersOf: async (p: string) => (await b.identifiersOf(p)).reverse() })),
  'audit log empty': idm(() => ({ audit: async () => [] })),
  'addObservations writes observation by observation (not all or nothing)': idm((b) => ({
    addObservations: async (obs: Any[]) => {
      let last: Any;
      for (const o of obs) last = await b.addObservations([o]);
      return last ?? b.addObservations([]);
    },
  })),
  'identifier values truncated to 64 characters': idm((b) => identifierValuesMapped(b, (v) => v.slice(0, 64))),
  'identifier values compared case-insensitively': idm((b) => identifierValuesMapped(b, (v) => v.toLowerCase())),
  'erase keeps the profile': idm((b) => ({ erase: async (p: string, now: number) => ((await b.profile(p)) === null ? null : { profileId: p, identifiers: 0, proofs: [], profiles: [p], changes: [] }) })),
};

// ─── Journeys ────────────────────────────────────────────────────────────────────────────────────────────────────
type JO = JourneyStore;
const jo = (over: (b: JO) => Partial<Record<keyof JO, (...a: Any[]) => Any>>) => () => {
  const b = new MemoryJourneyStore();
  return mutate<JO>(b, over(b));
};
const journeyMutants: Record<string, () => JO> = {
  'claimDue takes one more than the limit': jo((b) => ({ claimDue: (now: number, o: Any) => b.claimDue(now, { ...o, limit: o?.limit + 1 }) })),
  'claims not exclusive: a leased instance is handed out again': jo((b) => {
    const leased: Any[] = [];
    return {
      claimDue: async (now: number, o: Any) => {
        const fresh = await b.claimDue(now, o);
        const again = leased.filter((c) => c.leaseUntil > now && !fresh.some((f) => f.instance.id === c.instance.id));
        leased.push(...fresh);
        return [...fresh, ...again].slice(0, o.limit);
      },
    };
  }),
  'lease expiry ignored: a claimed instance is never handed out again': jo((b) => {
    const claimed = new Set<string>();
    return {
      claimDue: async (now: number, o: Any) => {
        const got = (await b.claimDue(now, o)).filter((c) => !claimed.has(c.instance.id));
        for (const c of got) claimed.add(c.instance.id);
        return got;
      },
      complete: async (c: Any, i: Any, n: number, now: number) => {
        const ok = await b.complete(c, i, n, now);
        if (ok) claimed.delete(c.instance.id);
        return ok;
      },
    };
  }),
  'claims ordered by localeCompare of the id': jo((b) => ({ claimDue: async (now: number, o: Any) => (await b.claimDue(now, o)).sort((x, y) => x.instance.id.localeCompare(y.instance.id)) })),
  'deliver answers true for a repeated id': jo((b) => ({
    deliver: async (id: string, input: Any, now: number) => (await b.deliver(id, input, now)) || (await b.get(id))?.status === 'active',
  })),
  'complete ignores an expired lease': jo((b) => ({ complete: (c: Any, i: Any, n: number, now: number) => b.complete(c, i, n, typeof c?.leaseUntil === 'number' ? Math.min(now, c.leaseUntil - 1) : now) })),
  'entry cap counts entries after since only (> instead of >=)': jo((b) => ({ enrol: (i: Any, p: Any) => b.enrol(i, p?.cap?.since != null ? { ...p, cap: { ...p.cap, since: p.cap.since + 1 } } : p) })),
  'cooldown requires the previous entry strictly before enteredBefore': jo((b) => ({ enrol: (i: Any, p: Any) => b.enrol(i, typeof p?.enteredBefore === 'number' ? { ...p, enteredBefore: p.enteredBefore - 1 } : p) })),
  'entry cap off by one': jo((b) => ({ enrol: (i: Any, p: Any) => b.enrol(i, p?.cap ? { ...p, cap: { ...p.cap, max: p.cap.max + 1 } } : p) })),
  'activeFor answers an ended instance': jo((b) => ({
    activeFor: async (j: string, subject: string) => {
      const active = await b.activeFor(j, subject);
      if (active) return active;
      for await (const i of b.list(j)) if (i.subjectId === subject) return i;
      return null;
    },
  })),
  'deliver files an input about another person under the instance’s': jo((b) => ({
    deliver: async (id: string, input: Any, now: number) => {
      const i = await b.get(id);
      const who = i?.subjectId;
      const fix = (x: Any) => (x && typeof x === 'object' && typeof x.subjectId === 'string' && who ? { ...x, subjectId: who } : x);
      return b.deliver(id, input && typeof input === 'object' ? Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === 'id' ? v : fix(v)])) as Any : input, now);
    },
  })),
  'replace lets a second instance be active': jo((b) => ({
    replace: async (i: Any, now: number) => {
      try {
        return await b.replace(i, now);
      } catch (e) {
        if (e instanceof CrossChannelError && e.code === 'STORE_CONFLICT' && e.path?.[0] !== 'journeyId' && e.path?.[0] !== 'subjectId' && e.path?.[1] !== 'journeyId' && e.path?.[1] !== 'subjectId') return true;
        throw e;
      }
    },
  })),
  'claimDue claims what falls due within the lease': jo((b) => ({ claimDue: (now: number, o: Any) => b.claimDue(typeof now === 'number' && typeof o?.leaseMs === 'number' ? now + Math.min(o.leaseMs, 1000) : now, o) })),
  'nextDueAt ignores everything': jo(() => ({ nextDueAt: async () => null })),
  'deliver forgets an input id once it is consumed': jo((b) => {
    const consumed = new Map<string, Set<string>>();
    return {
      deliver: async (id: string, x: Any, now: number) => {
        const r = await b.deliver(id, x, now);
        if (r || !consumed.get(id)?.has(x?.id)) return r;
        consumed.get(id)!.delete(x.id);
        return b.deliver(id, { ...x, id: `${x.id}\0again` }, now);
      },
      complete: async (c: Any, i: Any, n: number, now: number) => {
        const ok = await b.complete(c, i, n, now);
        if (ok) for (const x of c.inbox.slice(0, n)) consumed.set(c.instance.id, (consumed.get(c.instance.id) ?? new Set()).add(x.id));
        return ok;
      },
    };
  }),
  'cooldown measured from the person’s first entry, not the latest': jo((b) => {
    const first = new Map<string, number>();
    return {
      enrol: async (i: Any, p: Any) => {
        const k = `${i?.subjectId}\0${p?.journeyId}`;
        const f = first.get(k);
        const early = p?.reentry === 'cooldown' && f !== undefined && p.enteredBefore !== null && f <= p.enteredBefore && !(await b.activeFor(p.journeyId, i.subjectId));
        const r = await b.enrol(i, early ? { ...p, reentry: 'always' } : p);
        if (r.enrolled && f === undefined) first.set(k, i.enteredAt);
        return r;
      },
    };
  }),
  'complete keeps the consumed inbox items': jo((b) => ({ complete: (c: Any, i: Any, _n: number, now: number) => b.complete(c, i, 0, now) })),
  'erase keeps the entry-cap entries': jo((b) => {
    // Entries of erased people, per journey, still counted: the cap is lowered by those in its window.
    const ghosts = new Map<string, number[]>();
    const mine = new Map<string, Array<[string, number]>>();
    return {
      enrol: async (i: Any, p: Any) => {
        const g = p?.cap ? (ghosts.get(p.journeyId) ?? []).filter((t) => p.cap.since === null || t >= p.cap.since).length : 0;
        const r = await b.enrol(i, g > 0 ? { ...p, cap: { ...p.cap, max: Math.max(0, p.cap.max - g) } } : p);
        if (r.enrolled && p?.cap) mine.set(i.subjectId, [...(mine.get(i.subjectId) ?? []), [p.journeyId, i.enteredAt]]);
        return r;
      },
      erase: async (s: string) => {
        for (const [j, t] of mine.get(s) ?? []) ghosts.set(j, [...(ghosts.get(j) ?? []), t]);
        mine.delete(s);
        return b.erase(s);
      },
    };
  }),
  'erase frees only the active instance’s cap entry (ended ones still count)': jo((b) => {
    const ghosts = new Map<string, number[]>();
    const mine = new Map<string, Array<[string, number, string]>>();
    return {
      enrol: async (i: Any, p: Any) => {
        const g = p?.cap ? (ghosts.get(p.journeyId) ?? []).filter((t) => p.cap.since === null || t >= p.cap.since).length : 0;
        const r = await b.enrol(i, g > 0 ? { ...p, cap: { ...p.cap, max: Math.max(0, p.cap.max - g) } } : p);
        if (r.enrolled && p?.cap) mine.set(i.subjectId, [...(mine.get(i.subjectId) ?? []), [p.journeyId, i.enteredAt, i.id]]);
        return r;
      },
      erase: async (s: string) => {
        for (const [j, t, id] of mine.get(s) ?? []) if ((await b.get(id))?.status !== 'active') ghosts.set(j, [...(ghosts.get(j) ?? []), t]);
        mine.delete(s);
        return b.erase(s);
      },
    };
  }),
  'erase keeps the person’s re-entry record (reentry never still refuses them)': jo((b) => {
    const entered = new Map<string, Set<string>>();
    const erased = new Set<string>();
    return {
      enrol: async (i: Any, p: Any) => {
        const k = `${i?.subjectId}\0${p?.journeyId}`;
        if (erased.has(k) && p?.reentry === 'never' && !(await b.activeFor(p.journeyId, i.subjectId))) return { enrolled: false, reason: 'no_reentry' };
        const r = await b.enrol(i, p);
        if (r.enrolled) entered.set(i.subjectId, (entered.get(i.subjectId) ?? new Set()).add(k));
        return r;
      },
      erase: async (s: string) => {
        for (const k of entered.get(s) ?? []) erased.add(k);
        return b.erase(s);
      },
    };
  }),
  'subject ids truncated to 64 UTF-16 units': jo((b) => {
    const cut = (s: Any) => (typeof s === 'string' ? s.slice(0, 64) : s);
    const who = new Map<string, string>();
    const back = (i: Any) => (i && typeof i === 'object' && who.has(i.id) ? { ...i, subjectId: who.get(i.id) } : i);
    const into = (i: Any) => (i && typeof i === 'object' ? { ...i, subjectId: cut(i.subjectId) } : i);
    const input = (x: Any) => {
      if (!x || typeof x !== 'object') return x;
      const body = x.event ?? x.response ?? x.reply;
      const f = x.event ? 'event' : x.response ? 'response' : 'reply';
      return body && typeof body === 'object' ? { ...x, [f]: { ...body, subjectId: cut(body.subjectId) } } : x;
    };
    return {
      enrol: async (i: Any, p: Any) => {
        const r = await b.enrol(into(i), p);
        if (r.enrolled) who.set(i.id, i.subjectId);
        return r;
      },
      get: async (id: string) => back(await b.get(id)),
      activeFor: async (j: string, s: string) => back(await b.activeFor(j, cut(s))),
      deliver: (id: string, x: Any, now: number) => b.deliver(id, input(x), now),
      claimDue: async (now: number, o: Any) => (await b.claimDue(now, o)).map((c: Any) => ({ ...c, instance: back(c.instance), inbox: c.inbox })),
      complete: (c: Any, i: Any, n: number, now: number) => b.complete(c && typeof c === 'object' ? { ...c, instance: into(c.instance) } : c, into(i), n, now),
      replace: (i: Any, now: number) => b.replace(into(i), now),
      list: async function* (j: string, v?: number) {
        for await (const i of b.list(j, v)) yield back(i);
      },
      erase: (s: string) => b.erase(cut(s)),
    };
  }),
};

const ports: Array<[string, (t: () => Any) => void, () => Any, Record<string, () => Any>]> = [
  ['ContactHistoryStore', runContactHistoryStoreConformance, () => new MemoryContactHistoryStore({ maxSubjects: 1000 }), contactMutants],
  ['OfferCapacityStore', runOfferCapacityStoreConformance, () => new MemoryOfferCapacityStore(), capacityMutants],
  ['ConsentStore', runConsentStoreConformance, () => new MemoryConsentStore({ erasureSalt: CONFORMANCE_ERASURE_SALT }), consentMutants],
  ['EventStore', runEventStoreConformance, () => new MemoryEventStore(), eventMutants],
  ['AssignmentStore', runAssignmentStoreConformance, () => new MemoryAssignmentStore(), assignmentMutants],
  ['IdentityStore', runIdentityStoreConformance, (): IdentityStoreOpener => ({ open: async (o) => new MemoryIdentityStore(o) }), identityMutants],
  ['JourneyStore', runJourneyStoreConformance, () => new MemoryJourneyStore(), journeyMutants],
];

describe('the conformance kit kills every mutant store', () => {
  it('has at least 40 mutants', () => {
    expect(ports.reduce((n, [, , , m]) => n + Object.keys(m).length, 0)).toBeGreaterThanOrEqual(40);
  });
  it('ContactHistoryStore: the faithful re-implementation of reserve the reading mutants start from passes every case', async () => {
    expect(await failedCases(runContactHistoryStoreConformance, chReading((h) => h))).toEqual([]);
  });
  for (const [port, run, control, mutants] of ports) {
    it(`${port}: the unmutated memory store passes every case under the collector`, async () => {
      expect(await failedCases(run, control)).toEqual([]);
    });
    for (const [name, make] of Object.entries(mutants)) {
      it(`${port}: ${name}`, async () => {
        const failed = await failedCases(run, make);
        if (process.env.KIT_MUTANTS_VERBOSE) console.log(`${port}: ${name}\n  killed by: ${failed.join(' | ')}`);
        expect(failed.length, 'no kit case failed: the mutant survives').toBeGreaterThan(0);
      });
    }
  }
});
