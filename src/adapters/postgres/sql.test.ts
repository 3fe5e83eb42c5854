/**
 * Table names are written into SQL (a name cannot be a bound parameter): every schema generator and every store
 * refuses a name that is not letters, digits and `_`, so a configured name can never change a statement; and a
 * store given something that is not a SQL client says so when it is made.
 */
import { describe, expect, it } from 'vitest';
import { failureOf as failure } from '../../../test/arbitraries/junk.js';
import {
  assignmentStoreSchemaSql,
  consentStoreSchemaSql,
  eventStoreSchemaSql,
  identityMigrations,
  journeyStoreSchemaSql,
  PostgresAssignmentStore,
  PostgresConsentStore,
  PostgresEventStore,
  PostgresIdentityStore,
  PostgresJourneyStore,
} from './index.js';
import { sqlNamePart } from './sql.js';

const BAD_NAMES: unknown[] = ['x; DROP TABLE y', 'a b', '1abc', '', 'a'.repeat(60), 'tbl"', 'é', 7, null, ['abc'], Symbol('t')];

describe('SQL names', () => {
  it('every schema generator refuses a name that would change its SQL, naming the argument', () => {
    const generators: Array<[string, (name: never) => unknown, string]> = [
      ['consentStoreSchemaSql', consentStoreSchemaSql, 'tablePrefix'],
      ['eventStoreSchemaSql', eventStoreSchemaSql, 'table'],
      ['assignmentStoreSchemaSql', assignmentStoreSchemaSql, 'table'],
      ['journeyStoreSchemaSql', journeyStoreSchemaSql, 'prefix'],
      ['identityMigrations', identityMigrations, 'tablePrefix'],
    ];
    for (const [name, generate, path] of generators) {
      for (const bad of BAD_NAMES) expect(failure(() => generate(bad as never)), `${name}(${String(bad)})`).toEqual({ code: 'CONFIG_INVALID', path: [path] });
      expect(failure(() => generate('shop_v2' as never)), name).toBe('none');
    }
  });

  it('the stores refuse the same names in their options', () => {
    const sql = { query: async () => ({ rows: [] }), transaction: async () => undefined };
    const stores: Array<[string, (name: unknown) => unknown, string]> = [
      ['PostgresConsentStore', (n) => new PostgresConsentStore(sql as never, { erasureSalt: 's', tablePrefix: n as string }), 'tablePrefix'],
      ['PostgresIdentityStore', (n) => new PostgresIdentityStore(sql as never, { erasureSalt: 's', tablePrefix: n as string }), 'tablePrefix'],
      ['PostgresEventStore', (n) => new PostgresEventStore(sql as never, { table: n as string }), 'table'],
      ['PostgresAssignmentStore', (n) => new PostgresAssignmentStore(sql as never, { table: n as string }), 'table'],
      ['PostgresJourneyStore', (n) => new PostgresJourneyStore(sql as never, { prefix: n as string }), 'prefix'],
    ];
    for (const [name, make, path] of stores) {
      for (const bad of BAD_NAMES.filter((b) => b !== null)) expect(failure(() => make(bad)), `${name}(${String(bad)})`).toEqual({ code: 'CONFIG_INVALID', path: [path] });
      expect(failure(() => make(undefined)), name).toBe('none');
    }
  });

  it('identity tables are lower case (PostgreSQL folds unquoted names; the store quotes none)', () => {
    expect(failure(() => identityMigrations('Shop'))).toEqual({ code: 'CONFIG_INVALID', path: ['tablePrefix'] });
    expect(failure(() => new PostgresConsentStore({ query: async () => ({ rows: [] }), transaction: async () => undefined } as never, { erasureSalt: 's', tablePrefix: 'Shop_' }))).toBe('none');
  });

  it('the length bound is inclusive', () => {
    expect(sqlNamePart('a'.repeat(41), 'p', 41)).toBe('a'.repeat(41));
    expect(failure(() => sqlNamePart('a'.repeat(42), 'p', 41))).toEqual({ code: 'CONFIG_INVALID', path: ['p'] });
  });

  it('a store given something other than a SQL client says so when it is made', () => {
    const makers: Array<[string, (client: unknown) => unknown, boolean]> = [
      ['PostgresConsentStore', (c) => new PostgresConsentStore(c as never, { erasureSalt: 's' }), true],
      ['PostgresIdentityStore', (c) => new PostgresIdentityStore(c as never, { erasureSalt: 's' }), true],
      ['PostgresEventStore', (c) => new PostgresEventStore(c as never), true],
      ['PostgresAssignmentStore', (c) => new PostgresAssignmentStore(c as never), true],
      ['PostgresJourneyStore', (c) => new PostgresJourneyStore(c as never), true],
    ];
    for (const [name, make, transactions] of makers) {
      expect(failure(() => make(undefined)), name).toEqual({ code: 'INPUT_INVALID', path: ['sql'] });
      expect(failure(() => make({})), name).toEqual({ code: 'INPUT_INVALID', path: ['sql', 'query'] });
      // A pg.Pool has query but no transaction: fromPg(pool) is what the stores take.
      expect(failure(() => make({ query: async () => ({ rows: [] }) })), name).toEqual(transactions ? { code: 'INPUT_INVALID', path: ['sql', 'transaction'] } : 'none');
    }
  });
});
