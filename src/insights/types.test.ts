import { describe, expectTypeOf, it } from 'vitest';
import type { CohortOptionsInput, FunnelInput, KpiName, KpiOptionsInput, PersonaOptionsInput, SpendTableInput, InsightsSqlSourceInput, KpiValue } from './index.js';

describe('insights public config types', () => {
  it('autocomplete literals and stay JSON-able', () => {
    expectTypeOf<KpiOptionsInput['by']>().toEqualTypeOf<Array<'channel' | 'campaign' | 'offer' | 'segment' | 'period'> | undefined>();
    expectTypeOf<KpiOptionsInput['period']>().toEqualTypeOf<'day' | 'week' | 'month' | undefined>();
    expectTypeOf<CohortOptionsInput['period']>().toEqualTypeOf<'week' | 'month' | undefined>();
    expectTypeOf<FunnelInput['steps']>().toEqualTypeOf<string[]>();
    expectTypeOf<PersonaOptionsInput['k']>().toEqualTypeOf<number>();
    expectTypeOf<SpendTableInput[number]['channel']>().toEqualTypeOf<string>();
    expectTypeOf<InsightsSqlSourceInput['timeType']>().toEqualTypeOf<'epoch_ms' | 'timestamptz' | undefined>();
    expectTypeOf<'conversionRate'>().toExtend<KpiName>();
    expectTypeOf<{ value: null }>().not.toExtend<KpiValue>(); // a missing value always carries its reason
  });
});
