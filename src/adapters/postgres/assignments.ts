import { CrossChannelError } from '../../core/errors.js';
import type { SqlClient } from '../../core/sql.js';
import { expectSqlClient, sqlNamePart } from './sql.js';
import { parseStickyAssignment, type AssignmentStore, type StickyAssignment } from '../../experiments/store.js';
import { checkAssignmentIds, compareCodeUnits } from '../store-input.js';
import { expectOptions } from '../../core/guards.js';

/** Options of {@link PostgresAssignmentStore}. */
export interface PostgresAssignmentStoreOptions {
  /** Name of the table (default `crosschannel_experiment_assignments`): letters, digits, `_`. */
  readonly table?: string;
}

/**
 * The schema of {@link PostgresAssignmentStore}: one row per unit and experiment, keyed by unit first (partition
 * or distribute on `unit_id`).
 *
 * @example
 * ```ts
 * declare const sql: SqlClient;
 *
 * for (const statement of assignmentStoreSchemaSql('crosschannel_experiment_assignments')) await sql.query(statement);
 * ```
 */
export function assignmentStoreSchemaSql(table: string): string[] {
  sqlNamePart(table, 'table', 51);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      unit_id text NOT NULL,
      experiment_id text NOT NULL,
      variant_id text NOT NULL,
      assigned_at bigint NOT NULL,
      anonymous_id text,
      PRIMARY KEY (unit_id, experiment_id)
    )`,
  ];
}

interface Row {
  unit_id: string;
  experiment_id: string;
  variant_id: string;
  assigned_at: string | number | bigint;
  anonymous_id: string | null;
}

/**
 * {@link AssignmentStore} on PostgreSQL (or PGlite, any compatible engine): `INSERT … ON CONFLICT DO NOTHING`
 * makes the first writer win. Call `migrate()` once to create the table. `list` orders experiments by UTF-16
 * code units, as the memory and Redis stores do, whatever the database's collation (sorted after the query: not
 * even `COLLATE "C"` agrees, since it orders U+FF01 before U+1F600). Takes a {@link SqlClient} as every
 * PostgreSQL store does (`fromPg(pool)`; a bare `pg.Pool` is refused at `sql.transaction`).
 *
 * @example
 * ```ts
 * import pg from 'pg';
 *
 * const store = new PostgresAssignmentStore(fromPg(new pg.Pool()));
 * await store.migrate();
 * ```
 */
export class PostgresAssignmentStore implements AssignmentStore {
  readonly #sql: SqlClient;
  readonly #table: string;

  constructor(sql: SqlClient, options: PostgresAssignmentStoreOptions = {}) {
    expectSqlClient(sql, true);
    expectOptions(options, ['options']);
    const table = sqlNamePart(options.table ?? 'crosschannel_experiment_assignments', 'table', 51);
    this.#sql = sql;
    this.#table = table;
  }

  /** Creates the table (idempotent). */
  async migrate(): Promise<void> {
    await this.#guard(async () => {
      for (const statement of assignmentStoreSchemaSql(this.#table)) await this.#sql.query(statement);
    });
  }

  async get(experimentId: string, unitId: string): Promise<StickyAssignment | null> {
    checkAssignmentIds(experimentId, unitId);
    const { rows } = await this.#guard(() => this.#sql.query<Row>(`SELECT * FROM ${this.#table} WHERE unit_id = $1 AND experiment_id = $2`, [unitId, experimentId]));
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async putIfAbsent(assignment: StickyAssignment): Promise<{ stored: StickyAssignment; created: boolean }> {
    const a = parseStickyAssignment(assignment);
    const { rows } = await this.#guard(() =>
      this.#sql.query<Row>(
        `INSERT INTO ${this.#table} (unit_id, experiment_id, variant_id, assigned_at, anonymous_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (unit_id, experiment_id) DO NOTHING RETURNING *`,
        [a.unitId, a.experimentId, a.variantId, a.assignedAt, a.anonymousId ?? null],
      ),
    );
    if (rows.length > 0) return { stored: a, created: true };
    return { stored: (await this.get(a.experimentId, a.unitId)) ?? a, created: false };
  }

  async list(unitId: string): Promise<StickyAssignment[]> {
    checkAssignmentIds('x', unitId);
    const { rows } = await this.#guard(() => this.#sql.query<Row>(`SELECT * FROM ${this.#table} WHERE unit_id = $1`, [unitId]));
    return rows.map(fromRow).sort((a, b) => compareCodeUnits(a.experimentId, b.experimentId));
  }

  async erase(unitId: string): Promise<number> {
    checkAssignmentIds('x', unitId);
    const { rows } = await this.#guard(() => this.#sql.query(`DELETE FROM ${this.#table} WHERE unit_id = $1 RETURNING 1`, [unitId]));
    return rows.length;
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CrossChannelError) throw e;
      throw new CrossChannelError('STORE_ERROR', `PostgreSQL assignment store failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

function fromRow(r: Row): StickyAssignment {
  const a: StickyAssignment = { experimentId: r.experiment_id, unitId: r.unit_id, variantId: r.variant_id, assignedAt: Number(r.assigned_at) };
  return r.anonymous_id === null ? a : { ...a, anonymousId: r.anonymous_id };
}
