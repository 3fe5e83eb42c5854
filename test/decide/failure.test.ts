/**
 * Failure semantics: a store that errors or does not answer makes `decide` fail closed — no contact, a typed
 * error (`STORE_ERROR` / `STORE_TIMEOUT`) naming the stage and operation, the trace up to the failure — and
 * nothing is left half recorded (no contact without its checks, no capacity consumed without a contact).
 */
import { describe, expect, it, vi } from 'vitest';
import { isCrossChannelError, type CrossChannelError } from '../../src/core/errors.js';
import { decide, recordResponse, rekeyHistories, safeDecide, withDeadline, type DecideStores } from '../../src/decide/index.js';
import { allWithDeadline } from '../../src/decide/deadline.js';
import { withMethod } from '../arbitraries/stores.js';
import { memoryStores } from './memory-stores.js';
import { BOB, scenarioConfig, seed, T0, tcString } from './scenario.js';

type Mode = 'error' | 'hang' | 'slow';

/** Wraps one method of one store so that it throws, never answers, or answers after `delayMs` (doing its work then). */
function sabotage<S extends object>(store: S, method: keyof S & string, mode: Mode, delayMs = 200): S {
  return withMethod(store, method, (original, ...args) => {
    if (mode === 'error') return Promise.reject(new Error(`${method} exploded`));
    if (mode === 'hang') return new Promise(() => {});
    return new Promise((resolve, reject) => setTimeout(() => original(...args).then(resolve, reject), delayMs));
  });
}

const CASES: Array<{ store: keyof DecideStores; method: string; stage: string; channel?: string; op: string }> = [
  { store: 'identity', method: 'addObservations', stage: 'identity', op: 'identity.addObservations' },
  { store: 'identity', method: 'resolve', stage: 'identity', op: 'identity.resolve' },
  { store: 'events', method: 'read', stage: 'load', op: 'events.read' },
  { store: 'contacts', method: 'history', stage: 'load', op: 'contacts.history' },
  { store: 'consent', method: 'events', stage: 'load', op: 'consent.events' },
  { store: 'offerCapacity', method: 'usage', stage: 'arbitration', channel: 'web', op: 'offerCapacity.usage' },
  { store: 'offerCapacity', method: 'consume', stage: 'reserve', channel: 'web', op: 'offerCapacity.consume' },
  { store: 'contacts', method: 'reserve', stage: 'reserve', op: 'contacts.reserve' },
];

async function prepared(): Promise<ReturnType<typeof memoryStores>> {
  const stores = memoryStores();
  await seed(stores);
  return stores;
}

function requestFor(channel = 'email'): Record<string, unknown> {
  return channel === 'web'
    ? { requestId: 'f1', identifiers: [{ type: 'email', value: BOB.email }], channel: 'web', now: T0, tcString: tcString(true) }
    : { requestId: 'f1', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 };
}

async function recordedState(stores: ReturnType<typeof memoryStores>): Promise<unknown> {
  const subject = (await stores.identity.resolve([{ type: 'email', value: BOB.email }]))!;
  const usage = await stores.offerCapacity.usage(['coupon-20'], { timeZone: 'Europe/Paris' }, T0);
  return { history: await stores.contacts.history(subject), usage: [...usage.entries()] };
}

describe('decide fails closed when a store fails', () => {
  for (const c of CASES) {
    for (const mode of ['error', 'hang'] as const) {
      it(`${c.op} ${mode === 'error' ? 'throws' : 'never answers'} → ${mode === 'error' ? 'STORE_ERROR' : 'STORE_TIMEOUT'} at ${c.stage}, nothing recorded`, async () => {
        const stores = await prepared();
        const before = await recordedState(stores);
        const broken = { ...stores, [c.store]: sabotage(stores[c.store] as object, c.method as never, mode) } as DecideStores;
        const config = scenarioConfig({ storeTimeoutMs: 50 });
        const r = await safeDecide(requestFor(c.channel), broken, config);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.error.code).toBe(mode === 'error' ? 'STORE_ERROR' : 'STORE_TIMEOUT');
        expect(r.error.detail).toMatchObject({ stage: c.stage, operation: c.op });
        const last = r.trace.stages[r.trace.stages.length - 1]!;
        expect(last).toMatchObject({ stage: c.stage, status: 'failed', error: { code: r.error.code } });
        expect(r.trace.stages.filter((s) => s.status === 'failed')).toHaveLength(1);
        // Fail closed: nothing was reserved, no capacity was left consumed.
        expect(await recordedState(stores)).toEqual(before);
      });
    }
  }

  it('a contact refused or failed at reservation gives the offer capacity back', async () => {
    const stores = await prepared();
    const broken = { ...stores, contacts: sabotage(stores.contacts, 'reserve', 'error') };
    const config = scenarioConfig({ storeTimeoutMs: 50 });
    await expect(decide(requestFor('web'), broken, config)).rejects.toMatchObject({ code: 'STORE_ERROR' });
    const usage = await stores.offerCapacity.usage(['coupon-20'], { timeZone: 'Europe/Paris' }, T0);
    expect(usage.get('coupon-20')!.day).toBe(0);
  });

  it('a reservation that lands after its deadline is not used; the retry with the same request id replays it once', async () => {
    const stores = await prepared();
    const slow = { ...stores, contacts: sabotage(stores.contacts, 'reserve', 'slow', 120) };
    const config = scenarioConfig({ storeTimeoutMs: 40 });
    const first = await safeDecide(requestFor(), slow, config);
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.error.code).toBe('STORE_TIMEOUT');
    await new Promise((r) => setTimeout(r, 200)); // the late write completes
    const retry = await decide(requestFor(), stores, scenarioConfig());
    expect(retry.contact).toBe(true);
    expect(retry.reasons.map((r) => r.code)).toEqual(['DECIDE_REPLAYED']);
    const subject = retry.subjectId!;
    expect((await stores.contacts.history(subject)).contacts.filter((c) => c.idempotencyKey?.startsWith('f1#'))).toHaveLength(1);
  });

  it('a store failing on the second slot returns the first, already recorded, contact with DECIDE_PARTIAL', async () => {
    const stores = await prepared();
    let calls = 0;
    const contacts = withMethod(stores.contacts, 'reserve', (original, ...args) => (++calls === 2 ? Promise.reject(new Error('second slot exploded')) : original(...args)));
    const d = await decide({ ...requestFor('web'), slots: 2 }, { ...stores, contacts }, scenarioConfig());
    expect(d.contact).toBe(true);
    expect(d.offers).toHaveLength(1);
    expect(d.reasons.map((r) => r.code)).toEqual(['DECIDE_PARTIAL']);
    const history = await stores.contacts.history(d.subjectId!);
    expect(history.contacts.map((c) => c.id)).toEqual([d.offers[0]!.contactId]);
    // The capacity of the failed slot's offer was given back (only the first slot's offer holds one).
    const usage = await stores.offerCapacity.usage(['coupon-20'], { timeZone: 'Europe/Paris' }, T0);
    expect(usage.get('coupon-20')!.day).toBe(d.offers[0]!.offerId === 'coupon-20' ? 1 : 0);
  });

  it('a module that throws unexpectedly fails closed with DECIDE_STAGE_FAILED', async () => {
    const stores = await prepared();
    const config = scenarioConfig();
    const boom = (): never => {
      throw new Error('boom');
    };
    const evil = { ...config, segments: { ...config.segments!, matches: boom, evaluate: boom } } as typeof config;
    const r = await safeDecide(requestFor(), stores, evil);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('DECIDE_STAGE_FAILED');
      expect(r.trace.stages.at(-1)).toMatchObject({ stage: 'segments', status: 'failed' });
    }
  });

  it('recordResponse: a consent ledger failure records nothing; a retry records everything once', async () => {
    const stores = await prepared();
    const config = scenarioConfig({ storeTimeoutMs: 50 });
    const req = { responseId: 'u1', identifiers: [{ type: 'email', value: BOB.email }], kind: 'unsubscribed', channel: 'email', now: T0 };
    await expect(recordResponse(req, { ...stores, consent: sabotage(stores.consent, 'append', 'error') }, config)).rejects.toMatchObject({ code: 'STORE_ERROR' });
    const subject = (await stores.identity.resolve(req.identifiers))!;
    expect((await stores.contacts.history(subject)).responses).toEqual([]);
    await recordResponse(req, stores, config);
    await recordResponse(req, stores, config);
    expect((await stores.contacts.history(subject)).responses).toHaveLength(1);
    expect((await stores.consent.events(subject)).filter((e) => e.kind === 'withdrawn')).toHaveLength(1);
  });
});

/** Wraps one method of one store so that it answers `value` (a store of the wrong shape), doing nothing else. */
function answering<S extends object>(store: S, method: string, value: unknown): S {
  return withMethod(store, method, () => Promise.resolve(value));
}

/** Answers of the wrong shape for each operation (valid answers such as `[]` or a `null` profile id are left out). */
const WRONG: Record<string, unknown[]> = {
  'identity.addObservations': [undefined, null, 5, [], {}, { changes: [], invalid: [] }],
  'identity.resolve': [undefined, 5, {}, [], ['p1']],
  'events.read': [undefined, null, 'x', {}],
  'contacts.history': [undefined, null, [], {}, { contacts: [] }, { contacts: null, responses: [] }],
  'consent.events': [undefined, null, {}, 'x'],
  'offerCapacity.usage': [undefined, null, {}, []],
  'offerCapacity.consume': [undefined, null, {}, { ok: 'yes' }, { ok: true }],
  'contacts.reserve': [undefined, null, {}, { granted: true }, { granted: true, decision: { reasons: [] } }],
};

describe('decide fails closed when a store answers with the wrong shape', () => {
  for (const c of CASES) {
    it(`${c.op} answering the wrong shape → STORE_ERROR at ${c.stage} naming it${c.op === 'contacts.reserve' ? '' : ', nothing recorded'}`, async () => {
      for (const value of WRONG[c.op]!) {
        const stores = await prepared();
        const before = await recordedState(stores);
        const broken = { ...stores, [c.store]: answering(stores[c.store] as object, c.method, value) } as DecideStores;
        const r = await safeDecide(requestFor(c.channel), broken, scenarioConfig());
        expect(r.ok, JSON.stringify(value)).toBe(false);
        if (r.ok) return;
        expect(r.error.code, JSON.stringify(value)).toBe('STORE_ERROR');
        expect(r.error.detail).toMatchObject({ stage: c.stage, operation: c.op });
        expect(r.error.message).toContain(`Store operation ${c.op} answered`);
        expect(r.trace.stages.at(-1)).toMatchObject({ stage: c.stage, status: 'failed', error: { code: 'STORE_ERROR' } });
        if (c.op !== 'contacts.reserve') expect(await recordedState(stores)).toEqual(before);
      }
    });
  }

  it('a reservation answered with the wrong shape keeps the offer capacity consumed (its outcome is unknown, as after a timeout)', async () => {
    const stores = await prepared();
    const r = await safeDecide(requestFor('web'), { ...stores, contacts: answering(stores.contacts, 'reserve', { granted: true }) }, scenarioConfig());
    expect(r.ok).toBe(false);
    const usage = await stores.offerCapacity.usage(['coupon-20'], { timeZone: 'Europe/Paris' }, T0);
    expect(usage.get('coupon-20')!.day).toBe(1);
  });

  it('a profile id that is not a string is not a person: identity.resolve answering undefined or 5 fails, where it used to go on as data', async () => {
    const stores = await prepared();
    for (const id of [undefined, 5]) {
      const r = await safeDecide(requestFor(), { ...stores, identity: answering(stores.identity, 'resolve', id) }, scenarioConfig({ identity: { observe: false } }));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.detail).toMatchObject({ stage: 'identity', operation: 'identity.resolve' });
    }
    const req = { responseId: 'u1', identifiers: [{ type: 'email', value: BOB.email }], kind: 'clicked', channel: 'email', now: T0 };
    await expect(recordResponse(req, { ...stores, identity: answering(stores.identity, 'resolve', 5) }, scenarioConfig())).rejects.toMatchObject({
      code: 'STORE_ERROR',
      detail: { stage: 'record', operation: 'identity.resolve' },
    });
  });

  it('stored records of the wrong shape are STORE_ERROR (the stores\' side), at the record\'s path, not INPUT_INVALID (the caller\'s)', async () => {
    const cases: Array<[keyof DecideStores, string, unknown, string, string]> = [
      ['events', 'read', [{ subjectId: 'x', type: 'purchase', at: 'yesterday', properties: {} }], 'segments', 'events[0].at'],
      ['consent', 'events', [{ id: 'c', kind: 'granted', at: 'x' }], 'consent', 'events[0].at'],
      ['contacts', 'history', { contacts: [{ id: 'c1', subjectId: 'x', channel: 'web', tags: [], at: 'yesterday' }], responses: [] }, 'capping', 'records[0].at'],
    ];
    for (const [store, method, value, stage, path] of cases) {
      const stores = await prepared();
      const r = await safeDecide(requestFor(), { ...stores, [store]: answering(stores[store] as object, method, value) } as DecideStores, scenarioConfig());
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error).toMatchObject({ code: 'STORE_ERROR', path, detail: { stage } });
      expect(r.error.message).toMatch(new RegExp(`^Invalid data from the stores \\(stage ${stage}\\) at `));
      expect((r.error.cause as CrossChannelError).cause).toMatchObject({ code: 'INPUT_INVALID', path });
    }
  });

  it('a contact record that is not an object fails the load stage (the replay check reads the history first)', async () => {
    const stores = await prepared();
    const r = await safeDecide(requestFor(), { ...stores, contacts: answering(stores.contacts, 'history', { contacts: [5], responses: [] }) }, scenarioConfig());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'STORE_ERROR', detail: { stage: 'load', operation: 'contacts.history' } });
      expect(r.trace.stages.at(-1)).toMatchObject({ stage: 'load', status: 'failed' });
    }
  });

  it('a request identifier of a type identity cannot name is the caller\'s error, at validation (it reached the identity store)', async () => {
    const stores = await prepared();
    for (const type of ['Email', 'F', '1x', 'e-mail']) {
      const r = await safeDecide({ ...requestFor(), identifiers: [{ type, value: BOB.email }] }, stores, scenarioConfig());
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'INPUT_INVALID', path: 'identifiers[0].type', detail: { stage: 'validate' } });
    }
  });

  it('rekeyHistories: a read of the wrong shape fails before anything is copied', async () => {
    const stores = await prepared();
    const subject = (await stores.identity.resolve([{ type: 'email', value: BOB.email }]))!;
    const before = await stores.events.read(subject);
    await expect(rekeyHistories({ ...stores, contacts: answering(stores.contacts, 'history', null) }, [{ profileId: 'someone-else', previousIds: [subject] }] as never, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'STORE_ERROR',
      detail: { stage: 'identity', operation: 'contacts.history' },
    });
    expect(await stores.events.read('someone-else')).toEqual([]);
    expect(await stores.events.read(subject)).toEqual(before);
  });
});

describe('withDeadline', () => {
  it('passes values through, types rejections and timeouts, and ignores late settlements', async () => {
    await expect(withDeadline('load', 'x.ok', 50, async () => 7)).resolves.toBe(7);
    const err = (await withDeadline('load', 'x.err', 50, () => Promise.reject(new Error('nope'))).catch((e: unknown) => e)) as CrossChannelError;
    expect(isCrossChannelError(err, 'STORE_ERROR')).toBe(true);
    expect(err.message).toContain('x.err');
    expect(err.cause).toBeInstanceOf(Error);
    const sync = (await withDeadline('load', 'x.sync', 50, () => {
      throw new Error('sync');
    }).catch((e: unknown) => e)) as CrossChannelError;
    expect(sync.code).toBe('STORE_ERROR');
    const slow = (await withDeadline('load', 'x.slow', 10, () => new Promise((r) => setTimeout(() => r(1), 50))).catch((e: unknown) => e)) as CrossChannelError;
    expect(slow.code).toBe('STORE_TIMEOUT');
    expect(slow.detail).toMatchObject({ stage: 'load', operation: 'x.slow', timeoutMs: 10 });
  });

  it('arms no timer for a call that answers within microtasks, and one for a call still pending', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      await withDeadline('load', 'fast', 50, async () => 1);
      await withDeadline('load', 'fast.sync', 50, () => 2);
      await withDeadline('load', 'fast.reject', 50, () => Promise.reject(new Error('x'))).catch(() => undefined);
      expect(spy).not.toHaveBeenCalled();
      await withDeadline('load', 'slow', 50, () => new Promise<number>((r) => setImmediate(() => r(3))));
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('still times out a call that never settles, and without a deadline passes values and typed errors through', async () => {
    const never = (await withDeadline('load', 'never', 5, () => new Promise<number>(() => undefined)).catch((e: unknown) => e)) as CrossChannelError;
    expect(never.code).toBe('STORE_TIMEOUT');
    await expect(withDeadline('load', 'unbounded', Number.POSITIVE_INFINITY, () => 4)).resolves.toBe(4);
    const err = (await withDeadline('load', 'unbounded.err', 0, () => Promise.reject(new Error('no'))).catch((e: unknown) => e)) as CrossChannelError;
    expect(err.code).toBe('STORE_ERROR');
  });

  it('allWithDeadline: values in order, the first failure typed with its operation, a timeout naming the first call still pending', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      await expect(allWithDeadline('load', 50, [['a', async () => 1], ['b', () => 'two'], ['c', () => null]])).resolves.toEqual([1, 'two', null]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    const failed = (await allWithDeadline('load', 50, [['ok', async () => 1], ['broken', () => Promise.reject(new Error('down'))]]).catch((e: unknown) => e)) as CrossChannelError;
    expect(failed.code).toBe('STORE_ERROR');
    expect(failed.detail).toMatchObject({ stage: 'load', operation: 'broken' });
    const thrown = (await allWithDeadline('load', 50, [['sync', () => { throw new Error('x'); }]]).catch((e: unknown) => e)) as CrossChannelError;
    expect(thrown.detail).toMatchObject({ operation: 'sync' });
    const slow = (await allWithDeadline('load', 10, [['fast', async () => 1], ['slow', () => new Promise((r) => setTimeout(() => r(2), 60))], ['never', () => new Promise(() => undefined)]]).catch((e: unknown) => e)) as CrossChannelError;
    expect(slow.code).toBe('STORE_TIMEOUT');
    expect(slow.detail).toMatchObject({ stage: 'load', operation: 'slow', timeoutMs: 10 });
    await expect(allWithDeadline('load', 10, [])).resolves.toEqual([]);
    const bad = (await allWithDeadline('load', 10, [['x', 'not a function' as never]]).catch((e: unknown) => e)) as CrossChannelError;
    expect(bad.code).toBe('INPUT_INVALID');
  });

  it('keeps a store’s own STORE_CONFLICT code', async () => {
    const { CrossChannelError: E } = await import('../../src/core/errors.js');
    const e = (await withDeadline('reserve', 'x', 50, () => Promise.reject(new E('STORE_CONFLICT', 'clash'))).catch((x: unknown) => x)) as CrossChannelError;
    expect(e.code).toBe('STORE_CONFLICT');
  });
});

