import { CrossChannelError } from '../../core/errors.js';
import type { BehaviourEvent, BehaviourEventInput } from '../../core/records.js';
import { parseEventBatch, type EventReadOptions, type EventStore } from '../../segments/store.js';
import { expectSqlClient, sqlNamePart, type SqlClient } from './sql.js';
import { expectOptions } from '../../core/guards.js';
import { checkEventRead, checkStoreId } from '../store-input.js';
import { expectStorableText, isStorableText } from './text.js';

/** Beyond every epoch millisecond an event can have (±8.64e15): an infinite or huge bound is clamped to it for SQL. */
const FAR = 9e15;

/** Options of {@link PostgresEventStore}. */
export interface PostgresEventStoreOptions {
  /** Name of the events table (default `crosschannel_behaviour_events`): letters, digits, `_`. */
  readonly table?: string;
}

/**
 * The schema of {@link PostgresEventStore}: one row per event, keyed by subject (partition or distribute on
 * `subject_id`); `seq` keeps append order among equal times; a partial unique index makes appends with an
 * event id idempotent.
 *
 * @example
 * ```ts
 * declare const sql: SqlClient;
 *
 * for (const statement of eventStoreSchemaSql('crosschannel_behaviour_events')) await sql.query(statement);
 * ```
 */
export function eventStoreSchemaSql(table: string): string[] {
  sqlNamePart(table, 'table', 51);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      subject_id text NOT NULL,
      seq bigserial NOT NULL,
      event_id text,
      type text NOT NULL,
      at bigint NOT NULL,
      channel text,
      properties jsonb NOT NULL DEFAULT '{}'::jsonb,
      PRIMARY KEY (subject_id, seq)
    )`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${table}_event_id ON ${table} (subject_id, event_id) WHERE event_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${table}_at ON ${table} (subject_id, at, seq)`,
  ];
}

interface Row {
  event_id: string | null;
  subject_id: string;
  type: string;
  at: string | number | bigint;
  channel: string | null;
  properties: Record<string, unknown> | string;
}

/**
 * {@link EventStore} on PostgreSQL (or PGlite, Citus, any compatible engine) through a {@link SqlClient}. One
 * `append` is one transaction: all events or none. Call `migrate()` once to create the table.
 *
 * PostgreSQL cannot store U+0000 (NUL) or a lone surrogate in text or jsonb, so a batch with one in an event's
 * `type` or `properties` (keys or values) is refused whole with `INPUT_INVALID` at that place
 * (`[3].properties.note`) before anything is written — the memory store keeps such text. jsonb also reads `-0` back
 * as `0` and returns an object's keys in its own order (shorter keys first), not in the order they were written.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 *
 * const store = new PostgresEventStore(fromPg(pool));
 * await store.migrate();
 * await store.append([{ id: 'e1', subjectId: 'p1', type: 'purchase', at: Date.now(), properties: { amount: 42 } }]);
 * ```
 */
export class PostgresEventStore implements EventStore {
  readonly #sql: SqlClient;
  readonly #table: string;

  constructor(sql: SqlClient, options: PostgresEventStoreOptions = {}) {
    expectSqlClient(sql, true);
    expectOptions(options, ['options']);
    const table = sqlNamePart(options.table ?? 'crosschannel_behaviour_events', 'table', 51);
    this.#sql = sql;
    this.#table = table;
  }

  /** Creates the table and indexes (idempotent). */
  async migrate(): Promise<void> {
    await this.#guard(async () => {
      for (const statement of eventStoreSchemaSql(this.#table)) await this.#sql.query(statement);
    });
  }

  async append(events: ReadonlyArray<BehaviourEventInput | BehaviourEvent>): Promise<number> {
    const parsed = parseEventBatch(events);
    if (parsed.length === 0) return 0;
    for (let i = 0; i < parsed.length; i++) {
      const e = parsed[i]!;
      expectStorableText(e.type, [i, 'type']);
      expectStorableText(e.properties, [i, 'properties']);
    }
    const payload = JSON.stringify(
      parsed.map((e, i) => ({ n: i, subject_id: e.subjectId, event_id: e.id ?? null, type: e.type, at: e.at, channel: e.channel ?? null, properties: e.properties })),
    );
    return this.#guard(() =>
      this.#sql.transaction(async (tx) => {
        // One statement for the batch, in input order (ORDER BY n) so that seq follows append order.
        const r = await tx.query<{ seq: unknown }>(
          `INSERT INTO ${this.#table} (subject_id, event_id, type, at, channel, properties)
           SELECT subject_id, event_id, type, at, channel, properties
           FROM jsonb_to_recordset($1::jsonb) AS x(n int, subject_id text, event_id text, type text, at bigint, channel text, properties jsonb)
           ORDER BY n
           ON CONFLICT (subject_id, event_id) WHERE event_id IS NOT NULL DO NOTHING
           RETURNING seq`,
          [payload],
        );
        return r.rows.length;
      }),
    );
  }

  async read(subjectId: string, options: EventReadOptions = {}): Promise<BehaviourEvent[]> {
    const { from, to, types } = checkEventRead(subjectId, options);
    const params: unknown[] = [subjectId];
    let where = 'subject_id = $1';
    // Events are whole milliseconds, so `at >= 1.5` is `at >= 2` and `at < 1.5` is `at < 2`; ±Infinity and huge bounds
    // are clamped past every storable time (bigint takes neither "Infinity" nor 1e300).
    if (from > Number.NEGATIVE_INFINITY) {
      params.push(Math.ceil(Math.min(Math.max(from, -FAR), FAR)));
      where += ` AND at >= $${params.length}`;
    }
    if (to < Number.POSITIVE_INFINITY) {
      params.push(Math.ceil(Math.min(Math.max(to, -FAR), FAR)));
      where += ` AND at < $${params.length}`;
    }
    if (types !== undefined) {
      // A type PostgreSQL cannot hold was refused at append, so it matches nothing here (and as a parameter it would
      // fail, or — a lone surrogate read as U+FFFD — match another type).
      params.push(types.filter(isStorableText));
      where += ` AND type = ANY($${params.length}::text[])`;
    }
    const r = await this.#guard(() =>
      this.#sql.query<Row>(`SELECT event_id, subject_id, type, at, channel, properties FROM ${this.#table} WHERE ${where} ORDER BY at, seq`, params),
    );
    return r.rows.map((row) => {
      const e: { id?: string; subjectId: string; type: string; at: number; channel?: string; properties: Record<string, unknown> } = {
        subjectId: row.subject_id,
        type: row.type,
        at: Number(row.at),
        properties: typeof row.properties === 'string' ? (JSON.parse(row.properties) as Record<string, unknown>) : row.properties,
      };
      if (row.event_id !== null) e.id = row.event_id;
      if (row.channel !== null) e.channel = row.channel;
      return e as BehaviourEvent;
    });
  }

  async erase(subjectId: string): Promise<number> {
    checkStoreId(subjectId, 'subjectId');
    const r = await this.#guard(() => this.#sql.query<{ seq: unknown }>(`DELETE FROM ${this.#table} WHERE subject_id = $1 RETURNING seq`, [subjectId]));
    return r.rows.length;
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CrossChannelError) throw e;
      throw new CrossChannelError('STORE_ERROR', `Event store query failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}
