import { describe, expect, it } from 'vitest';
import type { ConsentEvent } from './ledger.js';
import { sameConsentEvent } from './store.js';

describe('sameConsentEvent', () => {
  const event = (evidence: string): ConsentEvent =>
    ({ id: 'e1', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'granted', at: 0, evidence: JSON.parse(evidence) }) as ConsentEvent;

  it('compares evidence whatever its key order, ignoring undefined fields', () => {
    expect(sameConsentEvent(event('{"source":"form","textVersion":"v3"}'), event('{"textVersion":"v3","source":"form"}'))).toBe(true);
    expect(sameConsentEvent(event('{"source":"form"}'), { ...event('{"source":"form"}'), evidence: { source: 'form', proofId: undefined } } as ConsentEvent)).toBe(true);
    expect(sameConsentEvent(event('{"source":"form"}'), event('{"source":"call"}'))).toBe(false);
  });

  it('compares an own __proto__ evidence key as data (an integrator may pass events read back unparsed)', () => {
    expect(sameConsentEvent(event('{"source":"a","__proto__":{"x":1}}'), event('{"source":"a","__proto__":{"x":2}}'))).toBe(false);
    expect(sameConsentEvent(event('{"source":"a","__proto__":{"x":1}}'), event('{"source":"a","__proto__":{"x":1}}'))).toBe(true);
  });
});

describe('sameConsentEvent with evidence JSON cannot hold', () => {
  it('is INPUT_INVALID at the evidence (a BigInt was a TypeError from JSON.stringify)', () => {
    const a = { id: 'e1', subjectId: 's1', channel: 'email', purpose: 'marketing', kind: 'granted', at: 0, evidence: { source: 'form' } } as ConsentEvent;
    expect(() => sameConsentEvent(a, { ...a, evidence: { source: 'form', textVersion: 10n } } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'b.evidence' }));
  });
});
