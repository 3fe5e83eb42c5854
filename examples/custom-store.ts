/**
 * A custom store, worked end to end: the contact history of `crosschannel/capping` on SQLite, here through
 * sql.js (SQLite compiled to WebAssembly, so it runs in Node, browsers and workers with no native build). The
 * same SQL runs on `node:sqlite` or `better-sqlite3`: only `fromSqlJs` would change. The test suite runs the
 * public conformance kit against it (test/adapters/custom-store.test.ts) — the same tests the memory and Redis
 * stores pass, atomic reservation under concurrency included.
 *
 * Run: npx tsx examples/custom-store.ts
 */
import initSqlJs, { type Database } from 'sql.js';
import { CrossChannelError, idSchema, isCrossChannelError } from 'crosschannel';
import { parseContactRecord, parseResponseRecord, type ContactRecord, type ContactRecordInput, type History, type ResponseRecord, type ResponseRecordInput } from 'crosschannel';
import type { EpochMs } from 'crosschannel';
import { evaluateCaps, parseCapRules, type CompiledCapRules, type ContactHistoryStore, type RecordedContact, type Reservation, type ReserveOptions } from 'crosschannel/capping';

/** The little a store needs from an SQLite binding (sql.js here; `node:sqlite` and `better-sqlite3` fit too). */
export interface SqliteDatabase {
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: ReadonlyArray<string | number | null>): number;
  /** Runs a query; returns its rows as objects. */
  all(sql: string, params?: ReadonlyArray<string | number | null>): Array<Record<string, string | number | null>>;
}

/** Wraps a sql.js `Database`. */
export function fromSqlJs(db: Database): SqliteDatabase {
  return {
    run(sql, params = []) {
      db.run(sql, [...params]);
      return db.getRowsModified();
    },
    all(sql, params = []) {
      const stmt = db.prepare(sql, [...params]);
      try {
        const rows: Array<Record<string, string | number | null>> = [];
        while (stmt.step()) rows.push(stmt.getAsObject() as Record<string, string | number | null>);
        return rows;
      } finally {
        stmt.free();
      }
    },
  };
}

/** The schema, created by {@link SqliteContactHistoryStore.migrate}. One row per record, the record as JSON. */
export const CONTACT_HISTORY_SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS cc_contacts (
  subject_id TEXT NOT NULL, at INTEGER NOT NULL, id TEXT NOT NULL, record TEXT NOT NULL,
  UNIQUE (subject_id, at, id)
);
-- A response is stored once per identical record: another under the same id and instant (another kind) is kept.
CREATE TABLE IF NOT EXISTS cc_responses (
  subject_id TEXT NOT NULL, at INTEGER NOT NULL, id TEXT NOT NULL, record TEXT NOT NULL,
  UNIQUE (subject_id, at, id, record)
);
-- Outcome of each idempotency key (granted or not), so a retried reservation replays instead of counting twice.
CREATE TABLE IF NOT EXISTS cc_reservations (
  subject_id TEXT NOT NULL, key TEXT NOT NULL, contact_at INTEGER NOT NULL, outcome TEXT NOT NULL,
  PRIMARY KEY (subject_id, key)
);
CREATE INDEX IF NOT EXISTS cc_contacts_at ON cc_contacts (at);
CREATE INDEX IF NOT EXISTS cc_responses_at ON cc_responses (at);
CREATE INDEX IF NOT EXISTS cc_reservations_at ON cc_reservations (contact_at);
`;

/**
 * The arguments of reads, erasures and prunes, checked as the shipped stores check them: a subject id as records
 * hold them (SQLite stores text as UTF-8, where a lone surrogate becomes U+FFFD: another subject's rows), times as
 * numbers (±Infinity are open bounds).
 */
function checkArgs(args: { subjectId?: unknown; since?: unknown; before?: unknown }): void {
  for (const [name, value] of Object.entries(args)) {
    const ok = name === 'subjectId' ? idSchema.safeParse(value).success : typeof value === 'number' && !Number.isNaN(value);
    if (!ok) throw new CrossChannelError('INPUT_INVALID', `${name} is not ${name === 'subjectId' ? 'a subject id' : 'epoch milliseconds'}`, { path: [name] });
  }
}

/**
 * {@link ContactHistoryStore} on SQLite. Guarantees, as the kit checks them:
 * - atomic reservation: read history, evaluate caps, insert — all inside one `BEGIN IMMEDIATE` transaction,
 *   which takes SQLite's write lock before reading, so racing callers (even other processes sharing the file)
 *   are serialised and never get more contacts through than the caps allow;
 * - idempotency: one outcome per `(subject, idempotencyKey)`, replayed on retry; identical records once;
 * - ordering: by `at`, ties in insertion order (`rowid`);
 * - erasure and retention: `erase(subject)` deletes every row of the subject, `prune(before)` old rows.
 */
export class SqliteContactHistoryStore implements ContactHistoryStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Creates the tables if they do not exist. */
  async migrate(): Promise<void> {
    this.#sql(() => {
      for (const statement of CONTACT_HISTORY_SQLITE_SCHEMA.split(';')) if (statement.trim()) this.#db.run(statement);
    });
  }

  async recordContact(input: ContactRecordInput): Promise<RecordedContact> {
    const contact = parseContactRecord(input);
    return this.#transaction(() => {
      const key = contact.idempotencyKey;
      if (key !== undefined) {
        const prior = this.#outcome(contact.subjectId, key);
        if (prior) return { recorded: false, contact: prior.contact };
      }
      if (!this.#insert('cc_contacts', contact)) return { recorded: false, contact };
      if (key !== undefined) this.#saveOutcome(key, { granted: true, decision: { allowed: true, reasons: [], nextAllowedAt: contact.at }, contact, replayed: false });
      return { recorded: true, contact };
    });
  }

  async recordResponse(input: ResponseRecordInput): Promise<void> {
    const response = parseResponseRecord(input);
    this.#transaction(() => this.#insert('cc_responses', response));
  }

  async history(subjectId: string, since: EpochMs = Number.NEGATIVE_INFINITY): Promise<History> {
    checkArgs({ subjectId, since });
    return this.#sql(() => this.#history(subjectId, since));
  }

  async reserve(input: ContactRecordInput, rules: CompiledCapRules, options: ReserveOptions = {}): Promise<Reservation> {
    const contact = parseContactRecord(input);
    const now = options.now ?? contact.at;
    return this.#transaction(() => {
      const key = contact.idempotencyKey;
      if (key !== undefined) {
        const prior = this.#outcome(contact.subjectId, key);
        if (prior) return { ...prior, replayed: true };
      }
      // Only the part of the history the rules can see: their longest window, gap or cooldown.
      const history = this.#history(contact.subjectId, Number.isFinite(rules.lookbackMs) ? now - rules.lookbackMs : Number.NEGATIVE_INFINITY);
      const candidate = options.priority === undefined ? contact : { ...contact, priority: options.priority };
      const decision = evaluateCaps(history, rules, candidate, { now, timeZone: options.timeZone });
      if (decision.allowed) this.#insert('cc_contacts', contact);
      const outcome: Reservation = { granted: decision.allowed, decision, contact, replayed: false };
      if (key !== undefined) this.#saveOutcome(key, outcome);
      return outcome;
    });
  }

  async prune(before: EpochMs): Promise<number> {
    checkArgs({ before });
    return this.#transaction(() => {
      const removed = this.#db.run('DELETE FROM cc_contacts WHERE at < ?', [before]) + this.#db.run('DELETE FROM cc_responses WHERE at < ?', [before]);
      this.#db.run('DELETE FROM cc_reservations WHERE contact_at < ?', [before]);
      return removed;
    });
  }

  async erase(subjectId: string): Promise<void> {
    checkArgs({ subjectId });
    this.#transaction(() => {
      for (const table of ['cc_contacts', 'cc_responses', 'cc_reservations']) this.#db.run(`DELETE FROM ${table} WHERE subject_id = ?`, [subjectId]);
    });
  }

  #history(subjectId: string, since: EpochMs): History {
    const from = Number.isFinite(since) ? since : -Number.MAX_SAFE_INTEGER;
    const read = (table: string): unknown[] =>
      this.#db.all(`SELECT record FROM ${table} WHERE subject_id = ? AND at >= ? ORDER BY at, id, rowid`, [subjectId, from]).map((r) => JSON.parse(String(r.record)) as unknown);
    return { subjectId, contacts: read('cc_contacts') as ContactRecord[], responses: read('cc_responses') as ResponseRecord[], events: [] };
  }

  /** Inserts a record unless one is there that the table's UNIQUE key calls the same (a contact: subject, `at` and id; a response: the identical record); true when inserted. */
  #insert(table: 'cc_contacts' | 'cc_responses', rec: ContactRecord | ResponseRecord): boolean {
    return this.#db.run(`INSERT OR IGNORE INTO ${table} (subject_id, at, id, record) VALUES (?, ?, ?, ?)`, [rec.subjectId, rec.at, rec.id, JSON.stringify(rec)]) === 1;
  }

  #outcome(subjectId: string, key: string): Reservation | undefined {
    const row = this.#db.all('SELECT outcome FROM cc_reservations WHERE subject_id = ? AND key = ?', [subjectId, key])[0];
    return row ? (JSON.parse(String(row.outcome)) as Reservation) : undefined;
  }

  #saveOutcome(key: string, outcome: Reservation): void {
    this.#db.run('INSERT INTO cc_reservations (subject_id, key, contact_at, outcome) VALUES (?, ?, ?, ?)', [outcome.contact.subjectId, key, outcome.contact.at, JSON.stringify(outcome)]);
  }

  /**
   * Runs `fn` in a write transaction. `fn` is synchronous on purpose: nothing else can run between the read
   * and the write, and the lock makes that hold across connections too.
   */
  #transaction<T>(fn: () => T): T {
    return this.#sql(() => {
      this.#db.run('BEGIN IMMEDIATE');
      try {
        const result = fn();
        this.#db.run('COMMIT');
        return result;
      } catch (e) {
        this.#db.run('ROLLBACK');
        throw e;
      }
    });
  }

  /** Engine failures become `STORE_ERROR`; the library's own errors (bad time zone, …) pass through. */
  #sql<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isCrossChannelError(e)) throw e;
      throw new CrossChannelError('STORE_ERROR', `SQLite contact history: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

/** Opens an SQLite database with sql.js (from a saved file's bytes, or empty) and its contact-history store. */
export async function openSqliteContactHistory(bytes?: Uint8Array): Promise<{ store: SqliteContactHistoryStore; db: Database }> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(bytes);
  const store = new SqliteContactHistoryStore(fromSqlJs(db));
  await store.migrate();
  return { store, db };
}

// Shown when run directly: caps enforced through the custom store, surviving a save and a reload.
if (process.argv[1]?.endsWith('custom-store.ts')) {
  const caps = parseCapRules({ timeZone: 'Europe/Paris', rules: [{ id: 'daily', kind: 'limit', limit: 2, window: 'day' }] });
  const at = Date.parse('2026-10-25T09:00:00Z');
  const first = await openSqliteContactHistory();
  for (const channel of ['email', 'sms', 'push']) {
    const r = await first.store.reserve({ id: `c-${channel}`, subjectId: 'ada', channel, at, idempotencyKey: `send-${channel}` }, caps);
    console.log(`${channel.padEnd(5)} ${r.granted ? 'granted' : `refused: ${r.decision.reasons.map((x) => x.code).join(', ')}`}`);
  }
  const saved = first.db.export(); // the bytes of an ordinary SQLite file
  first.db.close();
  const reopened = await openSqliteContactHistory(saved);
  const retry = await reopened.store.reserve({ id: 'c-email-2', subjectId: 'ada', channel: 'email', at, idempotencyKey: 'send-email' }, caps);
  const h = await reopened.store.history('ada');
  console.log(`after reload: ${h.contacts.length} contacts (${h.contacts.map((c) => c.channel).join(', ')}); retried send replayed: ${retry.replayed}`);
  reopened.db.close();
}
