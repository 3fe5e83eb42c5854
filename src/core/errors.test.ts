import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CrossChannelError, attempt, formatPath, fromZodError, isCrossChannelError, parseWith, quietly } from './errors.js';
import { decisionFrom, reason } from './explain.js';

describe('CrossChannelError', () => {
  it('carries code, message, path and cause', () => {
    const cause = new Error('boom');
    const e = new CrossChannelError('STORE_ERROR', 'store failed', { path: ['stores', 'contacts'], cause, detail: { op: 'get' } });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CrossChannelError');
    expect(e.code).toBe('STORE_ERROR');
    expect(e.path).toBe('stores.contacts');
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ name: 'CrossChannelError', code: 'STORE_ERROR', message: 'store failed', path: 'stores.contacts', detail: { op: 'get' } });
    expect(isCrossChannelError(e, 'STORE_ERROR')).toBe(true);
    expect(isCrossChannelError(e, 'CONFIG_INVALID')).toBe(false);
    expect(isCrossChannelError(new Error('x'))).toBe(false);
  });

  it('formats paths readably', () => {
    expect(formatPath(['rules', 2, 'window', 'days'])).toBe('rules[2].window.days');
    expect(formatPath(['props', 'a-b'])).toBe('props["a-b"]');
    expect(formatPath([])).toBe('');
  });

  it('formats any key plain JavaScript puts in a path (a BigInt, a symbol, an object), never throwing', () => {
    expect(formatPath(['a', 10n as never, Symbol('s'), { toString: 1 } as never, 'b'])).toBe('a[10][Symbol(s)][{"toString":1}].b');
  });

  it('translates zod errors with the first bad path, without leaking zod', () => {
    const schema = z.object({ rules: z.array(z.object({ limit: z.number().int().positive() })) });
    const r = schema.safeParse({ rules: [{ limit: 3 }, { limit: -1 }] });
    expect(r.success).toBe(false);
    if (r.success) return;
    const e = fromZodError(r.error, 'CONFIG_INVALID', ['caps']);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.path).toBe('caps.rules[1].limit');
    expect(e.pathSegments).toEqual(['caps', 'rules', 1, 'limit']);
    expect(e.message).toContain('caps.rules[1].limit');
    expect(e.detail?.issues).toEqual([{ path: 'caps.rules[1].limit', message: expect.any(String) }]);
  });

  it('parseWith returns data or throws the translated error', () => {
    expect(parseWith(z.number(), 3, 'INPUT_INVALID')).toBe(3);
    expect(() => parseWith(z.number(), 'x', 'INPUT_INVALID')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('attempt turns CrossChannelError into a Result and re-throws bugs', () => {
    expect(attempt(() => 1)).toEqual({ ok: true, value: 1 });
    const r = attempt(() => {
      throw new CrossChannelError('INPUT_INVALID', 'bad');
    });
    expect(r.ok).toBe(false);
    expect(() => attempt(() => {
      throw new TypeError('bug');
    })).toThrow(TypeError);
  });
});

describe('explanations', () => {
  it('builds reasons without undefined fields and decisions from blocking reasons', () => {
    expect(reason('X', 'why')).toEqual({ code: 'X', message: 'why' });
    expect(Object.keys(reason('X', 'why', { rule: undefined }))).toEqual(['code', 'message']);
    expect(decisionFrom([])).toEqual({ allowed: true, reasons: [] });
    const blocked = decisionFrom([reason('CAP', 'limit', { rule: 'weekly', detail: { count: 3 } })]);
    expect(blocked.allowed).toBe(false);
    expect(blocked.reasons[0]).toEqual({ code: 'CAP', message: 'limit', rule: 'weekly', detail: { count: 3 } });
  });
});

describe('one error identity across copies of the package', () => {
  // Another copy (the CJS build next to the ESM one, or another version) has its own class but the same
  // registered brand: simulated with a class of its own that sets the brand the same way.
  class OtherCopyError extends Error {
    readonly code = 'TIME_INVALID';
    readonly path = 'at';
    constructor(message: string) {
      super(message);
      Object.defineProperty(this, Symbol.for('crosschannel.error'), { value: true, enumerable: false });
    }
  }

  it('recognises an error thrown by another copy, through instanceof and isCrossChannelError', () => {
    const foreign: unknown = new OtherCopyError('bad');
    expect(foreign instanceof CrossChannelError).toBe(true);
    expect(isCrossChannelError(foreign)).toBe(true);
    expect(isCrossChannelError(foreign, 'TIME_INVALID')).toBe(true);
    expect(isCrossChannelError(foreign, 'CONFIG_INVALID')).toBe(false);
  });

  it('does not recognise look-alikes without the brand', () => {
    const lookAlike = Object.assign(new Error('x'), { name: 'CrossChannelError', code: 'TIME_INVALID' });
    expect(lookAlike instanceof CrossChannelError).toBe(false);
    expect(isCrossChannelError(lookAlike)).toBe(false);
    expect(isCrossChannelError({ [Symbol.for('crosschannel.error')]: 'yes' })).toBe(false);
    for (const v of [null, undefined, 0, 'CrossChannelError', {}]) expect(isCrossChannelError(v)).toBe(false);
  });

  it('keeps the brand out of JSON and enumeration, and subclasses checked by their prototype chain', () => {
    class Sub extends CrossChannelError<'X'> {}
    const e = new CrossChannelError('CONFIG_INVALID', 'm', { path: ['a'] });
    expect(Object.keys(e)).not.toContain(Symbol.for('crosschannel.error').toString());
    expect(JSON.stringify(e)).toBe(JSON.stringify({ name: 'CrossChannelError', code: 'CONFIG_INVALID', message: 'm', path: 'a' }));
    expect(new Sub('X', 'm') instanceof CrossChannelError).toBe(true);
    expect(new Sub('X', 'm') instanceof Sub).toBe(true);
    expect(e instanceof Sub).toBe(false);
    expect(new OtherCopyError('m') instanceof Sub).toBe(false);
  });
});

describe('quietly', () => {
  it('returns what the call returns, and undefined when it throws anything', () => {
    expect(quietly(() => 42)).toBe(42);
    expect(quietly(() => { throw new Error('sink down'); })).toBeUndefined();
    expect(quietly(() => { throw Object.create(null); })).toBeUndefined();
    const hostile = new Proxy({}, { get() { throw new TypeError('trap'); } });
    expect(quietly(() => (hostile as { x: number }).x)).toBeUndefined();
  });
});
