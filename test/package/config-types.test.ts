/**
 * Typed configuration inputs: every parser takes its input type (`CapRuleSetInput`, `DecideConfigInput`, …), so an
 * editor completes a config literal and `tsc` rejects a wrong one — while the parser still validates at run time
 * (plain JavaScript, JSON). Each `@ts-expect-error` below fails `npm run typecheck` if the typing loosens; each
 * runtime assertion fails if validation does.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseCatalogue, type CatalogueInput } from '../../src/arbitration/index.js';
import { parseAttributionConfig, parseJourneyOptions, type AttributionConfigInput, type JourneyOptionsInput } from '../../src/attribution/index.js';
import { parseCapRules, type CapRuleSetInput, type CompiledCapRules } from '../../src/capping/index.js';
import { parseConsentEvent, parseConsentPolicy, type ConsentEventInput, type ConsentPolicyInput } from '../../src/consent/index.js';
import { isCrossChannelError, parseBehaviourEvent, parseContactRecord, parseResponseRecord, type ContactRecordInput } from '../../src/index.js';
import { parseDecideConfig, parseDecideRequest, type DecideConfigInput, type DecideRequestInput } from '../../src/decide/index.js';
import { parseIdentityRules, parseMatchModel, type IdentityRulesInput, type MatchModelInput } from '../../src/identity/index.js';
import { parseSegments, type SegmentDefinitionInput } from '../../src/segments/index.js';

const rejects = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch (e) {
    return isCrossChannelError(e);
  }
};

describe('typed config inputs', () => {
  it('parsers take their input types', () => {
    expectTypeOf(parseCapRules).parameter(0).toEqualTypeOf<CapRuleSetInput | CompiledCapRules>();
    expectTypeOf(parseConsentPolicy).parameter(0).toEqualTypeOf<ConsentPolicyInput | undefined>();
    expectTypeOf(parseConsentEvent).parameter(0).toEqualTypeOf<ConsentEventInput>();
    expectTypeOf(parseDecideConfig).parameter(0).toEqualTypeOf<DecideConfigInput>();
    expectTypeOf(parseDecideRequest).parameter(0).toEqualTypeOf<DecideRequestInput>();
    expectTypeOf(parseCatalogue).parameter(0).toEqualTypeOf<CatalogueInput>();
    expectTypeOf(parseSegments).parameter(0).toEqualTypeOf<ReadonlyArray<SegmentDefinitionInput>>();
    expectTypeOf(parseIdentityRules).parameter(0).toEqualTypeOf<IdentityRulesInput | undefined>();
    expectTypeOf(parseMatchModel).parameter(0).toEqualTypeOf<MatchModelInput>();
    expectTypeOf(parseAttributionConfig).parameter(0).toEqualTypeOf<AttributionConfigInput | undefined>();
    expectTypeOf(parseJourneyOptions).parameter(0).toEqualTypeOf<JourneyOptionsInput | undefined>();
    expectTypeOf(parseContactRecord).parameter(0).toEqualTypeOf<ContactRecordInput>();
  });

  it('a wrong literal is a type error, and still a CrossChannelError at run time', () => {
    // @ts-expect-error `limt` is not a field of a limit rule
    expect(rejects(() => parseCapRules({ rules: [{ id: 'd', kind: 'limit', limt: 1, window: 'day' }] }))).toBe(true);
    // @ts-expect-error no rule kind 'quota'
    expect(rejects(() => parseCapRules({ rules: [{ id: 'd', kind: 'quota', limit: 1, window: 'day' }] }))).toBe(true);
    // @ts-expect-error `doubleOptin` (the field is doubleOptIn)
    expect(rejects(() => parseConsentPolicy({ doubleOptin: { channels: ['email'] } }))).toBe(true);
    // @ts-expect-error a consent event kind that does not exist
    expect(rejects(() => parseConsentEvent({ id: 'e', subjectId: 'p', channel: 'email', purpose: 'marketing', kind: 'accepted', at: 0, evidence: { source: 'form' } }))).toBe(true);
    // @ts-expect-error identifiers is an array of { type, value }
    expect(rejects(() => parseDecideRequest({ identifiers: 'p1', channel: 'email', now: 0 }))).toBe(true);
    // @ts-expect-error `caps` is required, `cap` is not a field
    expect(rejects(() => parseDecideConfig({ catalogue: { offers: [] }, cap: { rules: [] } }))).toBe(true);
    // @ts-expect-error the module parts are typed too: a cap rule kind typo inside a decide config
    expect(rejects(() => parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [{ id: 'w', kind: 'limt', limit: 3, window: 'week' }] } }))).toBe(true);
    // @ts-expect-error and a consent policy typo inside it
    expect(rejects(() => parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] }, consent: { policy: { doubleOptin: {} } } }))).toBe(true);
    // @ts-expect-error offers need an id
    expect(rejects(() => parseCatalogue({ offers: [{ name: 'x' }] }))).toBe(true);
    // @ts-expect-error a segment needs an id
    expect(rejects(() => parseSegments([{ rule: { attr: 'a', op: 'exists' } }]))).toBe(true);
    // @ts-expect-error maxIdentifiers is a number
    expect(rejects(() => parseIdentityRules({ maxIdentifiers: 'many' }))).toBe(true);
    // @ts-expect-error fields is an array
    expect(rejects(() => parseMatchModel({ fields: 'email' }))).toBe(true);
    // @ts-expect-error no model 'first-click'
    expect(rejects(() => parseAttributionConfig({ models: ['first-click'] }))).toBe(true);
    // @ts-expect-error lookback is a duration
    expect(rejects(() => parseJourneyOptions({ lookback: true }))).toBe(true);
    // @ts-expect-error a contact needs a channel
    expect(rejects(() => parseContactRecord({ id: 'c', subjectId: 'p', at: 0 }))).toBe(true);
    // @ts-expect-error no response kind 'liked'
    expect(rejects(() => parseResponseRecord({ id: 'r', subjectId: 'p', channel: 'web', kind: 'liked', at: 0 }))).toBe(true);
    // @ts-expect-error an event needs a type
    expect(rejects(() => parseBehaviourEvent({ subjectId: 'p', at: 0 }))).toBe(true);
  });

  it('JSON (typed `any` by JSON.parse) is accepted by the type and validated at run time', () => {
    const json = JSON.parse('{"rules":[{"id":"d","kind":"limit","limit":"one","window":"day"}]}');
    expect(rejects(() => parseCapRules(json))).toBe(true);
    const fromUnknown: unknown = { rules: [] };
    expect(parseCapRules(fromUnknown as CapRuleSetInput).rules).toEqual([]);
  });
});
