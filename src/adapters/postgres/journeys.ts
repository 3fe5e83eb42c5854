import { CrossChannelError } from '../../core/errors.js';
import type { EpochMs } from '../../core/time.js';
import type { JourneyInstance } from '../../journeys/instance.js';
import {
  checkJourneyInput,
  checkStoredInstance,
  deliverySubjectError,
  inputSubject,
  replaceConflictError,
  checkReplaceIdentity,
  type ClaimOptions,
  type EnrolResult,
  type EntryPlan,
  type JourneyClaim,
  type JourneyInput,
  type JourneyStore,
  validateClaim,
  validateCompletion,
  validateDelivery,
  validateEntryPlan,
  validateReplacement,
} from '../../journeys/store.js';
import { expectSqlClient, sqlNamePart, type SqlClient, type SqlQueryable } from './sql.js';
import { expectOptions } from '../../core/guards.js';

/**
 * @internal SQL that orders `column` (text) by UTF-16 code units under `COLLATE "C"` (UTF-8 bytes: code points), as the other
 * stores and JavaScript's `<` order ids: U+E000–U+FFFF go after the supplementary planes, so each is put after a U+10FFFF
 * (which itself becomes U+10FFFF U+0001). Immutable, so an index can hold it.
 *
 * @example
 * ```ts
 * declare function utf16OrderSql(column: string): string; // internal: not exported by the package
 * const claimOrder = `ORDER BY due, ${utf16OrderSql('id')}`; // '\u{1F600}' before '\uFF01', as JavaScript sorts them
 * ```
 */
export function utf16OrderSql(column: string): string {
  return `regexp_replace(regexp_replace(${column}, E'\\U0010FFFF', E'\\U0010FFFF\\u0001', 'g'), E'([\\uE000-\\uFFFF])', E'\\U0010FFFF\\\\1', 'g') COLLATE "C"`;
}

/** Options of {@link PostgresJourneyStore}. */
export interface PostgresJourneyStoreOptions {
  /** Prefix of the tables (default `crosschannel_journey`): letters, digits, `_`. */
  readonly prefix?: string;
}

/**
 * The schema of {@link PostgresJourneyStore}: instances (one active per journey and person, enforced by a
 * partial unique index; `due` indexed for claims), the inbox, seen input ids, entry records, the entry-cap log and
 * the enrolment function `<prefix>_enrol` (PL/pgSQL; replaced on each run, so run it again after upgrading).
 *
 * @example
 * ```ts
 * declare const sql: SqlClient;
 * for (const statement of journeyStoreSchemaSql('crosschannel_journey')) await sql.query(statement);
 * ```
 */
export function journeyStoreSchemaSql(prefix: string): string[] {
  sqlNamePart(prefix, 'prefix', 41);
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
    // Claims go in (due, id in UTF-16 order): the index holds that order, so a claim reads only the rows it takes.
    `CREATE INDEX IF NOT EXISTS ${prefix}_due_id ON ${prefix}_instances (due, (${utf16OrderSql('id')})) WHERE due IS NOT NULL`,
    `DROP INDEX IF EXISTS ${prefix}_due`,
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
    enrolFunctionSql(prefix),
  ];
}

/**
 * The enrolment function: a batch of enrolments, each applying its entry plan as one transaction would (the
 * person's or, with a cap, the journey's advisory lock; the one active instance; re-entry; the cap; then the
 * writes), in the order given, in one call. Every lock of the batch is taken first, in one order, so two batches
 * cannot deadlock. Answers one word per item: `enrolled`, `active:<id>`, `no_reentry`, `cooldown` or `cap`.
 */
function enrolFunctionSql(p: string): string {
  return `CREATE OR REPLACE FUNCTION ${p}_enrol(
      _id text[], _journey text[], _version int[], _subject text[], _status text[], _state text[], _due bigint[],
      _entered bigint[], _reentry text[], _before float8[], _cap_max float8[], _cap_since float8[], _lock text[])
    RETURNS text[] LANGUAGE plpgsql AS $fn$
    DECLARE
      _out text[] := '{}';
      _k int;
      _i int;
      _found text;
      _last bigint;
      _n int;
    BEGIN
      FOR _k IN SELECT DISTINCT hashtext(x) AS h FROM unnest(_lock) x ORDER BY h LOOP
        PERFORM pg_advisory_xact_lock(_k);
      END LOOP;
      FOR _i IN 1 .. coalesce(array_length(_id, 1), 0) LOOP
        -- The person's active instance first, else the instance that has this id (a person's or another's).
        SELECT id INTO _found FROM ${p}_instances
          WHERE (journey_id = _journey[_i] AND subject_id = _subject[_i] AND status = 'active') OR id = _id[_i]
          ORDER BY (journey_id = _journey[_i] AND subject_id = _subject[_i] AND status = 'active') DESC LIMIT 1;
        IF _found IS NOT NULL THEN _out := _out || ('active:' || _found); CONTINUE; END IF;
        SELECT last_entered_at INTO _last FROM ${p}_entries WHERE journey_id = _journey[_i] AND subject_id = _subject[_i];
        IF FOUND THEN
          IF _reentry[_i] = 'never' THEN _out := _out || 'no_reentry'::text; CONTINUE; END IF;
          IF _reentry[_i] = 'cooldown' AND _before[_i] IS NOT NULL AND _last > _before[_i] THEN _out := _out || 'cooldown'::text; CONTINUE; END IF;
        END IF;
        IF _cap_max[_i] IS NOT NULL THEN
          IF _cap_since[_i] IS NOT NULL THEN DELETE FROM ${p}_cap WHERE journey_id = _journey[_i] AND at < _cap_since[_i]; END IF;
          SELECT count(*) INTO _n FROM ${p}_cap WHERE journey_id = _journey[_i];
          IF _n >= _cap_max[_i] THEN _out := _out || 'cap'::text; CONTINUE; END IF;
          INSERT INTO ${p}_cap (journey_id, instance_id, at) VALUES (_journey[_i], _id[_i], _entered[_i]) ON CONFLICT DO NOTHING;
        END IF;
        INSERT INTO ${p}_instances (id, journey_id, version, subject_id, status, state, due)
          VALUES (_id[_i], _journey[_i], _version[_i], _subject[_i], _status[_i], _state[_i]::jsonb, _due[_i]);
        INSERT INTO ${p}_entries (journey_id, subject_id, last_entered_at) VALUES (_journey[_i], _subject[_i], _entered[_i])
          ON CONFLICT (journey_id, subject_id) DO UPDATE SET last_entered_at = EXCLUDED.last_entered_at;
        _out := _out || 'enrolled'::text;
      END LOOP;
      RETURN _out;
    END
    $fn$`;
}

const asObject = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/** Most calls one batch carries (the arrays of one statement). */
const GROUP_MAX = 256;

type Queued<I, O> = { readonly item: I; readonly key: string | null; readonly resolve: (o: O) => void; readonly reject: (e: unknown) => void };

/**
 * Calls issued together, sent as one: the first batch once the pending microtasks have run, each next one as soon
 * as the batch in flight is answered (whatever queued meanwhile, up to {@link GROUP_MAX}), so a busy store sends
 * large batches and an idle one answers a lone call at once. No timer: a host's fake timers cannot hold it back.
 * Calls with the same key never share a batch (the later one goes in the next); a failed batch rejects each of its
 * calls with the error.
 */
class GroupCall<I, O> {
  #pending: Array<Queued<I, O>> = [];
  #busy = false;

  constructor(private readonly send: (items: I[]) => Promise<O[]>) {}

  add(item: I, key: string | null): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ item, key, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        queueMicrotask(() => this.#next());
      }
    });
  }

  #next(): void {
    if (this.#pending.length === 0) {
      this.#busy = false;
      return;
    }
    const batch: Array<Queued<I, O>> = [];
    const later: Array<Queued<I, O>> = [];
    const keys = new Set<string>();
    for (const call of this.#pending) {
      if (batch.length >= GROUP_MAX || (call.key !== null && keys.has(call.key))) later.push(call);
      else {
        if (call.key !== null) keys.add(call.key);
        batch.push(call);
      }
    }
    this.#pending = later;
    Promise.resolve()
      .then(() => this.send(batch.map((c) => c.item)))
      .then(
        (answers) => batch.forEach((c, k) => c.resolve(answers[k]!)),
        (e: unknown) => {
          for (const c of batch) c.reject(e);
        },
      )
      .finally(() => this.#next());
  }
}

/**
 * {@link JourneyStore} on PostgreSQL (or PGlite, any compatible engine) through a {@link SqlClient}. Claims are
 * one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`: concurrent runners skip each other's rows
 * instead of waiting; the claim moves `due` to the lease end so a crashed runner's rows come back; the same
 * statement returns each claimed instance's inbox. The enrolments issued together are one call of the enrolment
 * function, and the deliveries or completions issued together one transaction each (a lone call goes at once; calls made while a
 * batch is in flight go in the next, up to 256). Call `migrate()` once, and again after upgrading.
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
  readonly #enrols = new GroupCall<{ instance: JourneyInstance; plan: EntryPlan }, string>((items) => this.#guard(() => this.#enrolMany(items)));
  readonly #deliveries = new GroupCall<{ instanceId: string; input: JourneyInput; now: EpochMs }, boolean>((items) => this.#guard(() => this.#deliverMany(items)));
  readonly #completions = new GroupCall<{ claim: JourneyClaim; instance: JourneyInstance; consumed: number; now: EpochMs }, boolean>((items) => this.#guard(() => this.#completeMany(items)));

  constructor(sql: SqlClient, options: PostgresJourneyStoreOptions = {}) {
    expectSqlClient(sql, true);
    expectOptions(options, ['options']);
    this.#p = sqlNamePart(options.prefix ?? 'crosschannel_journey', 'prefix', 41);
    this.#sql = sql;
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
    const answer = await this.#enrols.add({ instance, plan }, null);
    if (answer === 'enrolled') return { enrolled: true };
    if (answer.startsWith('active:')) return { enrolled: false, reason: 'active', activeId: answer.slice('active:'.length) };
    if (answer === 'no_reentry' || answer === 'cooldown' || answer === 'cap') return { enrolled: false, reason: answer };
    throw new CrossChannelError('STORE_ERROR', `The enrolment function answered ${JSON.stringify(answer)}`);
  }

  /** One call of the enrolment function for enrolments issued together (see {@link enrolFunctionSql}). */
  async #enrolMany(items: ReadonlyArray<{ instance: JourneyInstance; plan: EntryPlan }>): Promise<string[]> {
    const col = <T>(f: (i: JourneyInstance, plan: EntryPlan) => T): T[] => items.map(({ instance, plan }) => f(instance, plan));
    const r = await this.#sql.query<{ r: unknown }>(
      `SELECT ${this.#p}_enrol($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::float8[], $11::float8[], $12::float8[], $13::text[]) AS r`,
      [
        col((i) => i.id),
        col((i) => i.journeyId),
        col((i) => i.version),
        col((i) => i.subjectId),
        col((i) => i.status),
        col((i) => JSON.stringify(i)),
        col((i) => (i.status === 'active' ? i.wakeAt : null)),
        col((i) => i.enteredAt),
        col((_, plan) => plan.reentry),
        col((_, plan) => plan.enteredBefore),
        col((_, plan) => plan.cap?.max ?? null),
        col((_, plan) => plan.cap?.since ?? null),
        // Enrolments of one person in one journey are serialised, and every enrolment of a journey with a cap.
        col((i, plan) => (plan.cap ? `journey:${i.journeyId}` : `journey:${i.journeyId}:${i.subjectId}`)),
      ],
    );
    const answers = r.rows[0]?.r;
    if (!Array.isArray(answers) || answers.length !== items.length || !answers.every((a) => typeof a === 'string')) {
      throw new CrossChannelError('STORE_ERROR', `The enrolment function answered ${Array.isArray(answers) ? `${answers.length} items for ${items.length}` : typeof answers}`);
    }
    return answers as string[];
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
    validateDelivery(instanceId, now);
    // Inputs for one instance never share a batch: they reach its inbox in the order they were delivered.
    if (await this.#deliveries.add({ instanceId, input, now }, instanceId)) return true;
    // Not filed: refused when the instance is another person's (the statement files only inputs about its subject).
    const r = await this.#guard(() => this.#sql.query<{ subject_id: string }>(`SELECT subject_id FROM ${this.#p}_instances WHERE id = $1`, [instanceId]));
    const owner = r.rows[0]?.subject_id;
    if (owner !== undefined && owner !== inputSubject(input)) throw deliverySubjectError(input, owner);
    return false;
  }

  /**
   * Deliveries issued together, in one transaction (`#lockedBatch`): one statement files each input whose id the
   * instance has not seen, and makes the instance due at once unless it is leased (the lease holder's completion
   * sees the inbox item and does it).
   */
  async #deliverMany(items: ReadonlyArray<{ instanceId: string; input: JourneyInput; now: EpochMs }>): Promise<boolean[]> {
    const p = this.#p;
    return this.#lockedBatch(
      items.map((d) => d.instanceId),
      `WITH t AS (
         SELECT t.id, t.input_id, t.body, t.now FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS t(id, input_id, body, now, subject)
         JOIN ${p}_instances i ON i.id = t.id AND i.status = 'active' AND i.subject_id = t.subject
       ), s AS (
         INSERT INTO ${p}_seen (instance_id, input_id) SELECT id, input_id FROM t ON CONFLICT DO NOTHING RETURNING instance_id
       ), b AS (
         INSERT INTO ${p}_inbox (instance_id, body) SELECT t.id, t.body::jsonb FROM t JOIN s ON s.instance_id = t.id
       ), u AS (
         UPDATE ${p}_instances i SET due = LEAST(COALESCE(i.due, t.now), t.now) FROM t JOIN s ON s.instance_id = t.id
         WHERE i.id = t.id AND (i.token IS NULL OR i.lease_until <= t.now)
       )
       SELECT instance_id AS id FROM s`,
      [items.map((d) => d.input.id), items.map((d) => JSON.stringify(d.input)), items.map((d) => d.now), items.map((d) => inputSubject(d.input))],
    );
  }

  async claimDue(now: EpochMs, options: ClaimOptions): Promise<JourneyClaim[]> {
    validateClaim(now, options);
    const p = this.#p;
    const leaseUntil = now + options.leaseMs;
    const token = `${options.owner}:${process.pid}:${++this.#tokens}`;
    return this.#guard(async () => {
      // One statement: the claim, then each claimed instance's inbox in order (one array per instance).
      const claimed = await this.#sql.query<{ id: string; state: unknown; inbox: unknown }>(
        `WITH d AS (SELECT id, due FROM ${p}_instances WHERE due <= $1 ORDER BY due, ${utf16OrderSql('id')} LIMIT $2 FOR UPDATE SKIP LOCKED),
         c AS (UPDATE ${p}_instances i SET token = $3, lease_until = $4, due = $4 FROM d WHERE i.id = d.id RETURNING i.id, i.state, d.due AS due_before)
         SELECT c.id, c.state, (SELECT json_agg(b.body ORDER BY b.seq) FROM ${p}_inbox b WHERE b.instance_id = c.id) AS inbox
         FROM c ORDER BY c.due_before, ${utf16OrderSql('c.id')}`,
        [now, options.limit, token, leaseUntil],
      );
      return claimed.rows.map((r) => ({ instance: asObject<JourneyInstance>(r.state), inbox: r.inbox === null ? [] : asObject<JourneyInput[]>(r.inbox), token, leaseUntil }));
    });
  }

  async complete(claim: JourneyClaim, instance: JourneyInstance, consumed: number, now: EpochMs): Promise<boolean> {
    checkStoredInstance(instance);
    validateCompletion(claim, consumed, now);
    if (instance.id !== claim.instance.id) return false;
    // Two completions of one instance never share a transaction: the second waits for the first's.
    return this.#completions.add({ claim, instance, consumed, now }, instance.id);
  }

  /**
   * Completions issued together, in one transaction (`#lockedBatch`: a delivery that held a lock has committed, so
   * the statement sees its inbox item): one statement saves each instance whose token and lease hold, deletes the
   * inbox items it read (all of them when it ended) and makes it due at once when unread items remain.
   */
  async #completeMany(items: ReadonlyArray<{ claim: JourneyClaim; instance: JourneyInstance; consumed: number; now: EpochMs }>): Promise<boolean[]> {
    const p = this.#p;
    return this.#lockedBatch(
      items.map((c) => c.instance.id),
      `WITH t AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::float8[], $8::bigint[])
           AS t(id, token, state, status, version, due, consumed, now)
       ), u AS (
         UPDATE ${p}_instances i SET state = t.state::jsonb, status = t.status, version = t.version, token = NULL, lease_until = 0,
           due = CASE WHEN t.status = 'active' AND (SELECT count(*) FROM ${p}_inbox b WHERE b.instance_id = t.id) > t.consumed THEN t.now ELSE t.due END
         FROM t WHERE i.id = t.id AND i.token = t.token AND i.lease_until > t.now
         RETURNING i.id, i.status, t.consumed
       ), x AS (
         DELETE FROM ${p}_inbox b USING (
           SELECT instance_id, seq, row_number() OVER (PARTITION BY instance_id ORDER BY seq) AS n FROM ${p}_inbox WHERE instance_id = ANY($1::text[])
         ) r, u
         WHERE b.instance_id = r.instance_id AND b.seq = r.seq AND u.id = r.instance_id AND (u.status <> 'active' OR r.n <= u.consumed)
       )
       SELECT id FROM u`,
      [
        items.map((c) => c.claim.token),
        items.map((c) => JSON.stringify(c.instance)),
        items.map((c) => c.instance.status),
        items.map((c) => c.instance.version),
        items.map((c) => (c.instance.status === 'active' ? c.instance.wakeAt : null)),
        items.map((c) => c.consumed),
        items.map((c) => c.now),
      ],
    );
  }

  /**
   * One transaction for a batch of deliveries or completions: the batch's instances locked first, in id order (two
   * batches cannot deadlock, and every delivery or completion that held a lock has committed, so the statement's
   * snapshot sees what it wrote), then `statement` with the ids as `$1` and `params` after, answering the ids it
   * wrote. Per id, whether it was written.
   */
  async #lockedBatch(ids: string[], statement: string, params: unknown[]): Promise<boolean[]> {
    return this.#sql.transaction(async (tx) => {
      await tx.query(`SELECT id FROM ${this.#p}_instances WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [ids]);
      const r = await tx.query<{ id: string }>(statement, [ids, ...params]);
      const written = new Set(r.rows.map((row) => row.id));
      return ids.map((id) => written.has(id));
    });
  }

  async replace(instance: JourneyInstance, now: EpochMs): Promise<boolean> {
    validateReplacement(instance, now);
    const p = this.#p;
    return this.#guard(() =>
      this.#sql.transaction(async (tx) => {
        const row = (await tx.query<{ subjectId: string; journeyId: string }>(`SELECT subject_id AS "subjectId", journey_id AS "journeyId" FROM ${p}_instances WHERE id = $1`, [instance.id])).rows[0];
        if (!row) return false;
        checkReplaceIdentity(row, instance);
        const active = instance.status === 'active';
        if (active) {
          // Refused before any write, as every store does (a concurrent enrolment still meets the unique index: STORE_CONFLICT too).
          const other = await tx.query<{ id: string }>(
            `SELECT o.id FROM ${p}_instances i JOIN ${p}_instances o ON o.journey_id = i.journey_id AND o.subject_id = i.subject_id AND o.status = 'active' AND o.id <> i.id
             WHERE i.id = $1 AND (i.token IS NULL OR i.lease_until <= $2)`,
            [instance.id, now],
          );
          if (other.rows[0]) throw replaceConflictError(instance, other.rows[0].id);
        }
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
        // The person's instances locked in id order first, as the batches of deliveries and completions lock theirs.
        await tx.query(`SELECT id FROM ${p}_instances WHERE subject_id = $1 ORDER BY id FOR UPDATE`, [subjectId]);
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
      // 23505 unique_violation: a write that lost a race with another (a replace making a second active instance against a
      // concurrent enrolment; two people enrolling one instance id at once): what the state refuses, as the other stores.
      if ((e as { code?: unknown } | null)?.code === '23505') throw new CrossChannelError('STORE_CONFLICT', `Journey store: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      // 42883 undefined_function: tables made by an older version, whose migrate() created no enrolment function.
      const hint = (e as { code?: unknown } | null)?.code === '42883' ? ' (run migrate() after upgrading crosschannel)' : '';
      throw new CrossChannelError('STORE_ERROR', `Journey store query failed: ${e instanceof Error ? e.message : String(e)}${hint}`, { cause: e });
    }
  }
}
