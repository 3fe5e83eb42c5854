import { CrossChannelError } from '../../core/errors.js';
import { saltedSha256Hex } from '../../core/hash.js';
import type { EpochMs } from '../../core/time.js';
import { parseConsentEvent, type ConsentEvent } from '../../consent/ledger.js';
import { sameConsentEvent, type ConsentStore, type ConsentErasureReceipt } from '../../consent/store.js';
import { expectSqlClient, sqlNamePart, type SqlClient } from './sql.js';
import { checkStoreId } from '../store-input.js';
import { expectStorableText } from './text.js';

/**
 * Options of {@link PostgresConsentStore}.
 *
 * @example
 * ```ts
 * const options: PostgresConsentStoreOptions = { erasureSalt: 'pepper', tablePrefix: 'app_' };
 * ```
 */
export interface PostgresConsentStoreOptions {
  /** Salt for erasure receipts' subject hash. Keep it secret and stable. Required. */
  readonly erasureSalt: string;
  /** Table name prefix (letters, digits, `_`). Default `crosschannel_`. */
  readonly tablePrefix?: string;
}

/**
 * The schema: an append-only event table (a trigger refuses UPDATE; DELETE happens only through erasure) and
 * an erasure table holding salted hashes only. Partition-friendly: every query is by `subject_id`.
 *
 * @example
 * ```ts
 * declare function writeFileSync(path: string, text: string): void;
 * writeFileSync('migrations/001_consent.sql', consentStoreSchemaSql('app_'));
 * ```
 */
export function consentStoreSchemaSql(prefix = 'crosschannel_'): string {
  sqlNamePart(prefix, 'tablePrefix', 41);
  return `
CREATE TABLE IF NOT EXISTS ${prefix}consent_events (
  seq bigserial PRIMARY KEY,
  subject_id text NOT NULL,
  event_id text NOT NULL,
  channel text NOT NULL,
  purpose text NOT NULL,
  kind text NOT NULL,
  at bigint NOT NULL,
  evidence jsonb NOT NULL,
  UNIQUE (subject_id, event_id)
);
CREATE INDEX IF NOT EXISTS ${prefix}consent_events_subject_at ON ${prefix}consent_events (subject_id, at, seq);
CREATE TABLE IF NOT EXISTS ${prefix}consent_erasures (
  subject_hash text PRIMARY KEY,
  erased_at bigint NOT NULL,
  event_count integer NOT NULL
);
CREATE OR REPLACE FUNCTION ${prefix}consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent events are append-only';
END $$;
DROP TRIGGER IF EXISTS ${prefix}consent_events_no_update ON ${prefix}consent_events;
CREATE TRIGGER ${prefix}consent_events_no_update BEFORE UPDATE ON ${prefix}consent_events
  FOR EACH ROW EXECUTE FUNCTION ${prefix}consent_events_append_only();
`;
}

interface Row {
  subject_id: string;
  event_id: string;
  channel: string;
  purpose: string;
  kind: string;
  at: string | number;
  evidence: unknown;
}

/**
 * {@link ConsentStore} on PostgreSQL (or PGlite / any compatible engine) through a {@link SqlClient}. Call
 * `migrate()` once to create the tables. PostgreSQL cannot store U+0000 (NUL) or a lone surrogate in text or
 * jsonb: an event with one in its evidence (`text`, `source`, `textVersion`, `proofId`) is refused with
 * `INPUT_INVALID` at that field (`evidence.text`) before anything is written.
 *
 * @example
 * ```ts
 * declare const pool: PgPoolLike;
 * import { PostgresConsentStore, fromPg } from 'crosschannel/adapters/postgres';
 * const store = new PostgresConsentStore(fromPg(pool), { erasureSalt: process.env.ERASURE_SALT! });
 * await store.migrate();
 * ```
 */
export class PostgresConsentStore implements ConsentStore {
  private readonly events_: string;
  private readonly erasures: string;
  private readonly prefix: string;
  private readonly salt: string;

  constructor(
    private readonly sql: SqlClient,
    options: PostgresConsentStoreOptions,
  ) {
    expectSqlClient(sql, true);
    if (typeof options?.erasureSalt !== 'string' || options.erasureSalt.length === 0) {
      throw new CrossChannelError('CONFIG_INVALID', 'erasureSalt must be a non-empty string', { path: ['erasureSalt'] });
    }
    const prefix = sqlNamePart(options.tablePrefix ?? 'crosschannel_', 'tablePrefix', 41);
    this.prefix = prefix;
    this.events_ = `${prefix}consent_events`;
    this.erasures = `${prefix}consent_erasures`;
    this.salt = options.erasureSalt;
  }

  /** Creates the tables, index and append-only trigger (idempotent). */
  async migrate(): Promise<void> {
    await this.run(async () => {
      await this.sql.transaction(async (tx) => {
        for (const statement of splitStatements(consentStoreSchemaSql(this.prefix))) await tx.query(statement);
      });
    });
  }

  async append(event: ConsentEvent): Promise<void> {
    const e = parseConsentEvent(event);
    expectStorableText(e, []);
    const existing = await this.run(() =>
      this.sql.transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO ${this.events_} (subject_id, event_id, channel, purpose, kind, at, evidence)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (subject_id, event_id) DO NOTHING RETURNING seq`,
          [e.subjectId, e.id, e.channel, e.purpose, e.kind, e.at, JSON.stringify(e.evidence)],
        );
        if (inserted.rows.length > 0) return null;
        const { rows } = await tx.query<Row>(`SELECT * FROM ${this.events_} WHERE subject_id = $1 AND event_id = $2`, [e.subjectId, e.id]);
        return rows[0] ?? null;
      }),
    );
    if (existing && !sameConsentEvent(toEvent(existing), e)) {
      throw new CrossChannelError('STORE_CONFLICT', `consent event ${e.id} already exists with different content`, { path: ['id'] });
    }
  }

  async events(subjectId: string): Promise<ConsentEvent[]> {
    checkStoreId(subjectId, 'subjectId');
    const { rows } = await this.run(() => this.sql.query<Row>(`SELECT * FROM ${this.events_} WHERE subject_id = $1 ORDER BY at, seq`, [subjectId]));
    return rows.map(toEvent);
  }

  async erase(subjectId: string, now: EpochMs): Promise<ConsentErasureReceipt> {
    checkStoreId(subjectId, 'subjectId');
    const subjectHash = await saltedSha256Hex(this.salt, subjectId);
    return this.run(() =>
      this.sql.transaction(async (tx) => {
        const { rows } = await tx.query<{ n: string | number }>(
          `WITH d AS (DELETE FROM ${this.events_} WHERE subject_id = $1 RETURNING 1) SELECT count(*) AS n FROM d`,
          [subjectId],
        );
        const n = Number(rows[0]?.n ?? 0);
        // The first erasure's receipt is the proof; later ones only replace it if they removed new events.
        await tx.query(
          `INSERT INTO ${this.erasures} (subject_hash, erased_at, event_count) VALUES ($1, $2, $3)
           ON CONFLICT (subject_hash) DO UPDATE SET erased_at = EXCLUDED.erased_at, event_count = EXCLUDED.event_count
           WHERE EXCLUDED.event_count > 0`,
          [subjectHash, now, n],
        );
        // Idempotent: what is stored now (the earlier proof when nothing new was erased) is the receipt.
        const { rows: stored } = await tx.query<{ erased_at: string | number; event_count: number }>(
          `SELECT erased_at, event_count FROM ${this.erasures} WHERE subject_hash = $1`,
          [subjectHash],
        );
        const r = stored[0]!;
        return { subjectHash, erasedAt: Number(r.erased_at), eventCount: Number(r.event_count) };
      }),
    );
  }

  async erasure(subjectId: string): Promise<ConsentErasureReceipt | null> {
    checkStoreId(subjectId, 'subjectId');
    const subjectHash = await saltedSha256Hex(this.salt, subjectId);
    const { rows } = await this.run(() =>
      this.sql.query<{ erased_at: string | number; event_count: number }>(`SELECT erased_at, event_count FROM ${this.erasures} WHERE subject_hash = $1`, [subjectHash]),
    );
    const r = rows[0];
    return r ? { subjectHash, erasedAt: Number(r.erased_at), eventCount: Number(r.event_count) } : null;
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CrossChannelError) throw e;
      throw new CrossChannelError('STORE_ERROR', `consent store: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

function toEvent(r: Row): ConsentEvent {
  const evidence = (typeof r.evidence === 'string' ? JSON.parse(r.evidence) : r.evidence) as ConsentEvent['evidence'];
  return {
    id: r.event_id,
    subjectId: r.subject_id,
    channel: r.channel,
    purpose: r.purpose,
    kind: r.kind as ConsentEvent['kind'],
    at: Number(r.at),
    evidence,
  };
}

/** Splits the schema script on top-level semicolons, keeping `$$` bodies whole. */
function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (let i = 0; i < script.length; i++) {
    if (script.startsWith('$$', i)) {
      inDollar = !inDollar;
      current += '$$';
      i++;
      continue;
    }
    const ch = script[i]!;
    if (ch === ';' && !inDollar) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
