import { CrossChannelError } from '../../core/errors.js';
import type { EpochMs } from '../../core/time.js';
import type { JourneyInstance } from '../../journeys/instance.js';
import {
  checkJourneyInput,
  checkStoredInstance,
  type ClaimOptions,
  type EnrolResult,
  type EntryPlan,
  type JourneyClaim,
  type JourneyInput,
  type JourneyStore,
  validateClaim,
  validateCompletion,
  validateEntryPlan,
} from '../../journeys/store.js';
import type { SqlClient, SqlQueryable } from './sql.js';
import { expectOptions } from '../../core/guards.js';

/** Options of {@link PostgresJourneyStore}. */
export interface PostgresJourneyStoreOptions {
  /** Prefix of the tables (default `crosschannel_journey`): letters, digits, `_`. */
  readonly prefix?: string;
}

/**
 * The schema of {@link PostgresJourneyStore}: instances (one active per journey and person, enforced by a
 * partial unique index; `due` indexed for claims), the inbox, seen input ids, entry records and the entry-cap log.
 *
 * @example
 * ```ts
 * declare const sql: SqlClient;
 * for (const statement of journeyStoreSchemaSql('crosschannel_journey')) await sql.query(statement);
 * ```
 */
export function journeyStoreSchemaSql(prefix: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${prefix}_instances (
      id text PRIMARY KEY,
      journey_id text NOT NULL,
      version int NOT NULL,
      subject_id text NOT NULL,
      status text NOT NULL,
      state jsonb NOT NULL,
      due bigint,
      token text,
      lease_until bigint NOT NULL DEFAULT 0
    )`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${prefix}_active ON ${prefix}_instances (journey_id, subject_id) WHERE status = 'active'`,
    `CREATE INDEX IF NOT EXISTS ${prefix}_due ON ${prefix}_instances (due) WHERE due IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${prefix}_subject ON ${prefix}_instances (subject_id)`,
    `CREATE TABLE IF NOT EXISTS ${prefix}_inbox (
      instance_id text NOT NULL,
      seq bigserial NOT NULL,
      body jsonb NOT NULL,
      PRIMARY KEY (instance_id, seq)
    )`,
    `CREATE TABLE IF NOT EXISTS ${prefix}_seen (instance_id text NOT NULL, input_id text NOT NULL, PRIMARY KEY (instance_id, input_id))`,
    `CREATE TABLE IF NOT EXISTS ${prefix}_entries (journey_id text NOT NULL, subject_id text NOT NULL, last_entered_at bigint NOT NULL, PRIMARY KEY (journey_id, subject_id))`,
    `CREATE TABLE IF NOT EXISTS ${prefix}_cap (journey_id text NOT NULL, instance_id text NOT NULL, at bigint NOT NULL, PRIMARY KEY (journey_id, instance_id))`,
  ];
}

const asObject = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/**
 * {@link JourneyStore} on PostgreSQL (or PGlite, any compatible engine) through a {@link SqlClient}. Claims are
 * one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`: concurrent runners skip each other's rows
 * instead of waiting; the claim moves `due` to the lease end so a crashed runner's rows come back. Call
 * `migrate()` once.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 *
 * import type { Journey } from 'crosschannel/journeys';
 * declare const journey: Journey;
 * const store = new PostgresJourneyStore(fromPg(new pg.Pool({ connectionString: process.env.DATABASE_URL })));
 * await store.migrate();
 * const now = Date.now();
 * await store.enrol(startInstance(journey, 'p-42', now), entryPlan(journey, now));
 * ```
 */
export class PostgresJourneyStore implements JourneyStore {
  readonly #sql: SqlClient;
  readonly #p: string;
  #tokens = 0;

  constructor(sql: SqlClient, options: PostgresJourneyStoreOptions = {}) {
    expectOptions(options, ['options']);
    const prefix = options.prefix ?? 'crosschannel_journey';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(prefix)) throw new CrossChannelError('CONFIG_INVALID', 'prefix must be letters, digits or _', { path: ['prefix'] });
    this.#sql = sql;
    this.#p = prefix;
  }

  /** Creates the tables and indexes (idempotent). */
  async migrate(): Promise<void> {
    await this.#guard(async () => {
      for (const statement of journeyStoreSchemaSql(this.#p)) await this.#sql.query(statement);
    });
  }

  async enrol(instance: JourneyInstance, plan: EntryPlan): Promise<EnrolResult> {
    checkStoredInstance(instance);
    validateEntryPlan(plan);
    const p = this.#p;
    return this.#guard(() =>
      this.#sql.transaction(async (tx): Promise<EnrolResult> => {
        // Serialise entries of one person in one journey (and of the whole journey when it has a cap).
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [plan.cap ? `journey:${instance.journeyId}` : `journey:${instance.journeyId}:${instance.subjectId}`]);
        const active = await tx.query<{ id: string }>(`SELECT id FROM ${p}_instances WHERE (journey_id = $1 AND subject_id = $2 AND status = 'active') OR id = $3 LIMIT 1`, [instance.journeyId, instance.subjectId, instance.id]);
        if (active.rows[0]) return { enrolled: false, reason: 'active', activeId: active.rows[0].id };
        const last = await tx.query<{ last_entered_at: unknown }>(`SELECT last_entered_at FROM ${p}_entries WHERE journey_id = $1 AND subject_id = $2`, [instance.journeyId, instance.subjectId]);
        if (last.rows[0]) {
          if (plan.reentry === 'never') return { enrolled: false, reason: 'no_reentry' };
          if (plan.reentry === 'cooldown' && plan.enteredBefore !== null && Number(last.rows[0].last_entered_at) > plan.enteredBefore) return { enrolled: false, reason: 'cooldown' };
        }
        if (plan.cap) {
          if (plan.cap.since !== null) await tx.query(`DELETE FROM ${p}_cap WHERE journey_id = $1 AND at < $2`, [instance.journeyId, plan.cap.since]);
          const n = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${p}_cap WHERE journey_id = $1`, [instance.journeyId]);
          if ((n.rows[0]?.n ?? 0) >= plan.cap.max) return { enrolled: false, reason: 'cap' };
          await tx.query(`INSERT INTO ${p}_cap (journey_id, instance_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [instance.journeyId, instance.id, instance.enteredAt]);
        }
        await tx.query(
          `INSERT INTO ${p}_instances (id, journey_id, version, subject_id, status, state, due) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
          [instance.id, instance.journeyId, instance.version, instance.subjectId, instance.status, JSON.stringify(instance), instance.status === 'active' ? instance.wakeAt : null],
        );
        await tx.query(
          `INSERT INTO ${p}_entries (journey_id, subject_id, last_entered_at) VALUES ($1, $2, $3) ON CONFLICT (journey_id, subject_id) DO UPDATE SET last_entered_at = EXCLUDED.last_entered_at`,
          [instance.journeyId, instance.subjectId, instance.enteredAt],
        );
        return { enrolled: true };
      }),
    );
  }

  async get(instanceId: string): Promise<JourneyInstance | null> {
    const r = await this.#guard(() => this.#sql.query<{ state: unknown }>(`SELECT state FROM ${this.#p}_instances WHERE id = $1`, [instanceId]));
    return r.rows[0] ? asObject<JourneyInstance>(r.rows[0].state) : null;
  }

  async activeFor(journeyId: string, subjectId: string): Promise<JourneyInstance | null> {
    const r = await this.#guard(() => this.#sql.query<{ state: unknown }>(`SELECT state FROM ${this.#p}_instances WHERE journey_id = $1 AND subject_id = $2 AND status = 'active'`, [journeyId, subjectId]));
    return r.rows[0] ? asObject<JourneyInstance>(r.rows[0].state) : null;
  }

  async deliver(instanceId: string, input: JourneyInput, now: EpochMs): Promise<boolean> {
    checkJourneyInput(input);
    const p = this.#p;
    return this.#guard(() =>
      this.#sql.transaction(async (tx) => {
        const row = await tx.query<{ status: string }>(`SELECT status FROM ${p}_instances WHERE id = $1 FOR UPDATE`, [instanceId]);
        if (row.rows[0]?.status !== 'active') return false;
        const fresh = await tx.query(`INSERT INTO ${p}_seen (instance_id, input_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING input_id`, [instanceId, input.id]);
        if (fresh.rows.length === 0) return false;
        await tx.query(`INSERT INTO ${p}_inbox (instance_id, body) VALUES ($1, $2::jsonb)`, [instanceId, JSON.stringify(input)]);
        // A leased instance keeps its lease; its complete() sees the inbox and makes it due at once.
        await tx.query(`UPDATE ${p}_instances SET due = LEAST(COALESCE(due, $2), $2) WHERE id = $1 AND (token IS NULL OR lease_until <= $2)`, [instanceId, now]);
        return true;
      }),
    );
  }

  async claimDue(now: EpochMs, options: ClaimOptions): Promise<JourneyClaim[]> {
    validateClaim(now, options);
    const p = this.#p;
    const leaseUntil = now + options.leaseMs;
    const token = `${options.owner}:${process.pid}:${++this.#tokens}`;
    return this.#guard(async () => {
      const claimed = await this.#sql.query<{ id: string; state: unknown; due_before: unknown }>(
        `UPDATE ${p}_instances i SET token = $3, lease_until = $4, due = $4
         FROM (SELECT id, due FROM ${p}_instances WHERE due <= $1 ORDER BY due LIMIT $2 FOR UPDATE SKIP LOCKED) d
         WHERE i.id = d.id
         RETURNING i.id, i.state, d.due AS due_before`,
        [now, options.limit, token, leaseUntil],
      );
      if (claimed.rows.length === 0) return [];
      const rows = [...claimed.rows].sort((a, b) => Number(a.due_before) - Number(b.due_before));
      const inbox = await this.#sql.query<{ instance_id: string; body: unknown }>(`SELECT instance_id, body FROM ${p}_inbox WHERE instance_id = ANY($1::text[]) ORDER BY instance_id, seq`, [rows.map((r) => r.id)]);
      const byId = new Map<string, JourneyInput[]>();
      for (const r of inbox.rows) {
        const list = byId.get(r.instance_id) ?? [];
        list.push(asObject<JourneyInput>(r.body));
        byId.set(r.instance_id, list);
      }
      return rows.map((r) => ({ instance: asObject<JourneyInstance>(r.state), inbox: byId.get(r.id) ?? [], token, leaseUntil }));
    });
  }

  async complete(claim: JourneyClaim, instance: JourneyInstance, consumed: number, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    validateCompletion(claim, consumed, now);
    if (instance.id !== claim.instance.id) return false;
    const p = this.#p;
    return this.#guard(() =>
      this.#sql.transaction(async (tx) => {
        const active = instance.status === 'active';
        const r = await tx.query(
          `UPDATE ${p}_instances SET state = $3::jsonb, status = $4, version = $5, token = NULL, lease_until = 0, due = $6
           WHERE id = $1 AND token = $2 AND lease_until > $7 RETURNING id`,
          [instance.id, claim.token, JSON.stringify(instance), instance.status, instance.version, active ? instance.wakeAt : null, now],
        );
        if (r.rows.length === 0) return false;
        if (!active) {
          await tx.query(`DELETE FROM ${p}_inbox WHERE instance_id = $1`, [instance.id]);
          return true;
        }
        if (consumed > 0) await tx.query(`DELETE FROM ${p}_inbox WHERE instance_id = $1 AND seq IN (SELECT seq FROM ${p}_inbox WHERE instance_id = $1 ORDER BY seq LIMIT $2)`, [instance.id, consumed]);
        await tx.query(`UPDATE ${p}_instances SET due = $2 WHERE id = $1 AND EXISTS (SELECT 1 FROM ${p}_inbox WHERE instance_id = $1)`, [instance.id, now]);
        return true;
      }),
    );
  }

  async replace(instance: JourneyInstance, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    const p = this.#p;
    return this.#guard(() =>
      this.#sql.transaction(async (tx) => {
        const active = instance.status === 'active';
        const r = await tx.query(
          `UPDATE ${p}_instances SET state = $2::jsonb, status = $3, version = $4, token = NULL, lease_until = 0, due = $5
           WHERE id = $1 AND (token IS NULL OR lease_until <= $6) RETURNING id`,
          [instance.id, JSON.stringify(instance), instance.status, instance.version, active ? instance.wakeAt : null, now],
        );
        if (r.rows.length === 0) return false;
        if (active) await tx.query(`UPDATE ${p}_instances SET due = $2 WHERE id = $1 AND EXISTS (SELECT 1 FROM ${p}_inbox WHERE instance_id = $1)`, [instance.id, now]);
        return true;
      }),
    );
  }

  async *list(journeyId: string, version?: number): AsyncIterable<JourneyInstance> {
    const r = await this.#guard(() =>
      version === undefined
        ? this.#sql.query<{ state: unknown }>(`SELECT state FROM ${this.#p}_instances WHERE journey_id = $1 ORDER BY id`, [journeyId])
        : this.#sql.query<{ state: unknown }>(`SELECT state FROM ${this.#p}_instances WHERE journey_id = $1 AND version = $2 ORDER BY id`, [journeyId, version]),
    );
    for (const row of r.rows) yield asObject<JourneyInstance>(row.state);
  }

  async nextDueAt(): Promise<EpochMs | null> {
    const r = await this.#guard(() => this.#sql.query<{ t: unknown }>(`SELECT min(due) AS t FROM ${this.#p}_instances WHERE due IS NOT NULL`));
    const t = r.rows[0]?.t;
    return t === null || t === undefined ? null : Number(t);
  }

  async erase(subjectId: string): Promise<void> {
    const p = this.#p;
    await this.#guard(() =>
      this.#sql.transaction(async (tx: SqlQueryable) => {
        const ids = `(SELECT id FROM ${p}_instances WHERE subject_id = $1)`;
        await tx.query(`DELETE FROM ${p}_inbox WHERE instance_id IN ${ids}`, [subjectId]);
        await tx.query(`DELETE FROM ${p}_seen WHERE instance_id IN ${ids}`, [subjectId]);
        await tx.query(`DELETE FROM ${p}_cap WHERE instance_id IN ${ids}`, [subjectId]);
        await tx.query(`DELETE FROM ${p}_instances WHERE subject_id = $1`, [subjectId]);
        await tx.query(`DELETE FROM ${p}_entries WHERE subject_id = $1`, [subjectId]);
      }),
    );
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CrossChannelError) throw e;
      throw new CrossChannelError('STORE_ERROR', `Journey store query failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}
