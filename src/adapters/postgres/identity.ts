/**
 * PostgreSQL {@link IdentityStore}. Every identifier row carries its profile id, so a lookup is one indexed
 * round trip. Writes load the affected raw components (everything connected by any valid link), recompute them
 * with the same pure `IdentityGraph` as the memory store, and write them back in one transaction; writers are
 * serialised by a transaction-scoped advisory lock, readers never wait.
 */
import { CrossChannelError } from '../../core/errors.js';
import type { EpochMs } from '../../core/time.js';
import { liveAttachments, liveIdentifiers, liveObservations, restoreAttachment, restoreLastSeen } from '../../identity/views.js';
import { IdentityGraph, validateBatch, type AuditEntry, type ObservationInput, type Profile, type StitchReport } from '../../identity/graph.js';
import { erasureProof, erasureSalts, type ErasureResult } from '../../identity/erasure.js';
import { identifierKey, normalizeIdentifier, type Identifier } from '../../identity/normalize.js';
import { parseIdentityRules, type CompiledIdentityRules, type IdentityRulesInput } from '../../identity/rules.js';
import { compareIdentifiers, preferredIdentifier, type IdentityErasureReceipt, type IdentifierInput, type IdentityStore } from '../../identity/store.js';
import { expectSqlClient, sqlNamePart, type SqlClient, type SqlQueryable } from './sql.js';
import { expectArray, expectObjects } from '../../core/guards.js';

/** Options of {@link PostgresIdentityStore}. */
export interface PostgresIdentityStoreOptions {
  readonly rules?: CompiledIdentityRules | IdentityRulesInput;
  /**
   * Secret salt of the proofs of erasure. Required, non-empty: an unsalted proof of an erased email is a plain
   * SHA-256 a dictionary reverses. Keep it out of the database that holds the proofs (e.g. in a secret manager);
   * it is not generated and stored beside them, since whoever reads both could reverse the proofs again.
   */
  readonly erasureSalt: string;
  /**
   * Salts of earlier keys, still checked by `wasErased` after a key rotation; new proofs use `erasureSalt`.
   * Drop a retired salt once every proof made with it has passed your retention of proofs.
   */
  readonly retiredErasureSalts?: ReadonlyArray<string>;
  /** Prefix of the tables (`<prefix>_identifier`, …). Default `cc_identity`. */
  readonly tablePrefix?: string;
}

/**
 * The schema as ordered migrations (version, SQL), for teams that run migrations with their own tool;
 * {@link PostgresIdentityStore.migrate} applies them itself.
 *
 * @example
 * ```ts
 * for (const m of identityMigrations('cc_identity')) console.log(m.version, m.sql);
 * ```
 */
export function identityMigrations(prefix = 'cc_identity'): Array<{ version: number; sql: string }> {
  const p = checkPrefix(prefix);
  return [
    {
      version: 1,
      sql: `
CREATE TABLE ${p}_identifier (
  id bigserial PRIMARY KEY,
  type text NOT NULL,
  value text NOT NULL,
  component bigint NOT NULL,
  profile_id text NOT NULL,
  first_seen bigint NOT NULL,
  last_seen bigint NOT NULL,
  UNIQUE (type, value)
);
CREATE INDEX ${p}_identifier_profile ON ${p}_identifier (profile_id);
CREATE INDEX ${p}_identifier_component ON ${p}_identifier (component);
CREATE TABLE ${p}_observation (
  id bigserial PRIMARY KEY,
  component bigint NOT NULL,
  at bigint NOT NULL,
  source text NOT NULL,
  identifiers bigint[] NOT NULL
);
CREATE INDEX ${p}_observation_component ON ${p}_observation (component);
CREATE TABLE ${p}_refused (
  component bigint NOT NULL,
  link jsonb NOT NULL
);
CREATE INDEX ${p}_refused_component ON ${p}_refused (component);
CREATE TABLE ${p}_erasure (
  proof text PRIMARY KEY,
  erased_at bigint NOT NULL
);`,
    },
    {
      // Non-linking identifiers (rules' nonLinking): identifier n was seen with linking identifier x. n stays a
      // component of its own; a profile's attached identifiers are those of its members.
      version: 2,
      sql: `
CREATE TABLE ${p}_attachment (
  n bigint NOT NULL,
  x bigint NOT NULL,
  PRIMARY KEY (n, x)
);
CREATE INDEX ${p}_attachment_x ON ${p}_attachment (x);`,
    },
  ];
}

const checkPrefix = (prefix: unknown): string => sqlNamePart(prefix, 'tablePrefix', 41, true);

interface MemberRow {
  id: number;
  type: string;
  value: string;
  component: number;
  lastSeen: number;
}

interface Component {
  members: MemberRow[];
  observations: Array<{ at: number; source: string; identifiers: number[] }>;
}

/**
 * Identity store on PostgreSQL (or PGlite, Citus, any compatible engine).
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * const store = new PostgresIdentityStore(fromPglite(new PGlite()), { rules: { limits: { user_id: 1 } }, erasureSalt: 'secret' });
 * await store.migrate();
 * await store.addObservations([{ identifiers: [{ type: 'email', value: 'ada@shop.test' }, { type: 'user_id', value: 'u1' }], at: 1 }]);
 * await store.lookup({ type: 'email', value: 'Ada@Shop.test' }); // 'p_…'
 * ```
 */
export class PostgresIdentityStore implements IdentityStore {
  private readonly rules: CompiledIdentityRules;
  private readonly salt: string;
  private readonly retired: string[];
  private readonly t: string;

  constructor(
    private readonly sql: SqlClient,
    options: PostgresIdentityStoreOptions,
  ) {
    expectSqlClient(sql, true);
    const salts = erasureSalts(options ?? {});
    const rules = options.rules ?? {};
    this.rules = typeof (rules as CompiledIdentityRules).rankOf === 'function' ? (rules as CompiledIdentityRules) : parseIdentityRules(rules);
    this.salt = salts.current;
    this.retired = salts.retired;
    this.t = checkPrefix(options.tablePrefix ?? 'cc_identity');
  }

  /** Creates or upgrades the schema (idempotent; safe to run from several processes at once). */
  async migrate(): Promise<void> {
    await this.run(() =>
      this.sql.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${this.t}:migrate`]);
        await tx.query(`CREATE TABLE IF NOT EXISTS ${this.t}_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
        const { rows } = await tx.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${this.t}_migrations`);
        const current = Number(rows[0]?.v ?? 0);
        for (const m of identityMigrations(this.t)) {
          if (m.version <= current) continue;
          for (const stmt of m.sql.split(';').map((x) => x.trim()).filter(Boolean)) await tx.query(stmt);
          await tx.query(`INSERT INTO ${this.t}_migrations (version) VALUES ($1)`, [m.version]);
        }
      }),
    );
  }

  async addObservations(observations: ReadonlyArray<ObservationInput>): Promise<StitchReport> {
    validateBatch(observations);
    const keys = new Map<string, Identifier>();
    for (const o of observations) {
      for (const raw of o.identifiers) {
        const n = normalizeIdentifier(raw, this.rules.normalize);
        if (n.ok) keys.set(identifierKey(n.value), n.value);
      }
    }
    return this.run(() =>
      this.sql.transaction(async (tx) => {
        await this.lock(tx);
        const types = [...keys.values()].map((k) => k.type);
        const values = [...keys.values()].map((k) => k.value);
        const { rows } = await tx.query<{ component: string | number }>(
          `SELECT DISTINCT component FROM ${this.t}_identifier WHERE (type, value) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
          [types, values],
        );
        const old = rows.map((r) => Number(r.component));
        const comp = await this.loadComponents(tx, old);
        const graph = new IdentityGraph(this.rules);
        graph.add(toInputs(comp));
        for (const m of comp.members) restoreLastSeen(graph, m, m.lastSeen);
        const before = graph.state.nObs;
        const report = graph.add(observations);
        const ids = await this.writeIdentifiers(tx, graph, comp.members);
        const label = labels(graph, ids);
        // A batch only merges components: each old one moves wholesale to the label of its new root.
        if (old.length > 0) {
          const moves = oldToNew(comp.members, graph, label);
          await tx.query(
            `UPDATE ${this.t}_observation o SET component = m.n FROM unnest($1::bigint[], $2::bigint[]) AS m(o, n) WHERE o.component = m.o`,
            [moves.from, moves.to],
          );
          await tx.query(`DELETE FROM ${this.t}_refused WHERE component = ANY($1::bigint[])`, [old]);
        }
        await this.insertObservations(tx, liveObservations(graph, before), ids, label, graph);
        await this.insertRefused(tx, graph, label);
        await this.insertAttachments(tx, graph, ids);
        return report;
      }),
    );
  }

  async lookup(identifier: IdentifierInput): Promise<string | null> {
    const n = normalizeIdentifier(identifier, this.rules.normalize);
    if (!n.ok) return null;
    const { rows } = await this.run(() => this.sql.query<{ profile_id: string }>(`SELECT profile_id FROM ${this.t}_identifier WHERE type = $1 AND value = $2`, [n.value.type, n.value.value]));
    return rows[0]?.profile_id ?? null;
  }

  async resolve(identifiers: ReadonlyArray<IdentifierInput>): Promise<string | null> {
    expectArray(identifiers, ['identifiers']);
    expectObjects(identifiers, ['identifiers']);
    const ok: Identifier[] = [];
    for (const i of identifiers) {
      const n = normalizeIdentifier(i, this.rules.normalize);
      if (n.ok) ok.push(n.value);
    }
    if (ok.length === 0) return null;
    const { rows } = await this.run(() =>
      this.sql.query<{ type: string; value: string; profile_id: string }>(
        `SELECT type, value, profile_id FROM ${this.t}_identifier WHERE (type, value) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [ok.map((i) => i.type), ok.map((i) => i.value)],
      ),
    );
    let best: { type: string; value: string; profile_id: string } | undefined;
    for (const r of rows) if (best === undefined || preferredIdentifier(this.rules, r, best)) best = r;
    return best?.profile_id ?? null;
  }

  async profile(profileId: string): Promise<Profile | null> {
    // One round trip: the profile's own identifiers, then (attached = 1) the non-linking ones seen with them.
    const { rows: all } = await this.run(() =>
      this.sql.query<{ type: string; value: string; first_seen: string | number; last_seen: string | number; attached: number | string }>(
        `SELECT type, value, first_seen, last_seen, 0 AS attached FROM ${this.t}_identifier WHERE profile_id = $1
         UNION SELECT n.type, n.value, 0, 0, 1 FROM ${this.t}_identifier p JOIN ${this.t}_attachment a ON a.x = p.id JOIN ${this.t}_identifier n ON n.id = a.n WHERE p.profile_id = $1`,
        [profileId],
      ),
    );
    const rows = all.filter((r) => Number(r.attached) === 0);
    if (rows.length === 0) return null;
    const order = (a: Identifier, b: Identifier): number => compareIdentifiers(this.rules, a, b);
    const identifiers = rows.map((r) => ({ type: r.type, value: r.value })).sort(order);
    let firstSeen = Infinity;
    let lastSeen = -Infinity;
    for (const r of rows) {
      firstSeen = Math.min(firstSeen, Number(r.first_seen));
      lastSeen = Math.max(lastSeen, Number(r.last_seen));
    }
    const attached = all.filter((r) => Number(r.attached) === 1).map((r) => ({ type: r.type, value: r.value })).sort(order);
    return attached.length === 0 ? { id: profileId, identifiers, firstSeen, lastSeen } : { id: profileId, identifiers, attached, firstSeen, lastSeen };
  }

  async identifiersOf(profileId: string): Promise<Identifier[]> {
    return [...((await this.profile(profileId))?.identifiers ?? [])];
  }

  async audit(profileId: string): Promise<AuditEntry[]> {
    const graph = await this.run(async () => {
      const { rows } = await this.sql.query<{ component: string }>(`SELECT component FROM ${this.t}_identifier WHERE profile_id = $1 LIMIT 1`, [profileId]);
      if (rows.length === 0) return undefined;
      const g = new IdentityGraph(this.rules);
      g.add(toInputs(await this.loadComponents(this.sql, [Number(rows[0]!.component)])));
      return g;
    });
    return graph?.audit(profileId) ?? [];
  }

  async removeIdentifier(identifier: IdentifierInput, now: EpochMs): Promise<IdentityErasureReceipt | null> {
    const n = normalizeIdentifier(identifier, this.rules.normalize);
    if (!n.ok) return null;
    return this.rewrite(`SELECT component FROM ${this.t}_identifier WHERE type = $1 AND value = $2`, [n.value.type, n.value.value], (g) => g.removeIdentifier(n.value), now);
  }

  async erase(profileId: string, now: EpochMs): Promise<IdentityErasureReceipt | null> {
    return this.rewrite(`SELECT component FROM ${this.t}_identifier WHERE profile_id = $1 LIMIT 1`, [profileId], (g) => g.erase(profileId), now);
  }

  async wasErased(identifier: IdentifierInput): Promise<boolean> {
    const n = normalizeIdentifier(identifier, this.rules.normalize);
    if (!n.ok) return false;
    const proofs = await Promise.all([this.salt, ...this.retired].map((salt) => erasureProof(n.value, salt)));
    const { rows } = await this.run(() => this.sql.query(`SELECT 1 FROM ${this.t}_erasure WHERE proof = ANY($1::text[]) LIMIT 1`, [proofs]));
    return rows.length > 0;
  }

  /** Loads one component, applies an unmerge/erasure to it, and writes the whole component back. */
  private async rewrite(find: string, params: unknown[], apply: (g: IdentityGraph) => ErasureResult | undefined, now: EpochMs): Promise<IdentityErasureReceipt | null> {
    const result = await this.run(() =>
      this.sql.transaction(async (tx) => {
        await this.lock(tx);
        const { rows } = await tx.query<{ component: string }>(find, params);
        if (rows.length === 0) return null;
        const component = Number(rows[0]!.component);
        // With non-linking identifiers: also the components of the ones attached to this component (each is a
        // component of its own), and every attachment of either, so erasure knows which devices are shared.
        const attachments = this.rules.source.nonLinking.length === 0 ? [] : await this.loadAttachments(tx, component);
        const components = [component, ...new Set(attachments.map((a) => a.nComponent).filter((c) => c !== component))];
        const comp = await this.loadComponents(tx, components);
        const graph = new IdentityGraph(this.rules);
        graph.add(toInputs(comp));
        for (const m of comp.members) restoreLastSeen(graph, m, m.lastSeen);
        const loaded = new Set(comp.members.map((m) => m.id));
        const byId = new Map(comp.members.map((m) => [m.id, { type: m.type, value: m.value }]));
        for (const a of attachments) if (loaded.has(a.n)) restoreAttachment(graph, byId.get(a.n)!, loaded.has(a.x) ? byId.get(a.x)! : null);
        const r = apply(graph);
        if (r === undefined) return null;
        const erasedKeys = new Set(r.erased.map(identifierKey));
        const erasedIds = comp.members.filter((m) => erasedKeys.has(identifierKey(m))).map((m) => m.id);
        await tx.query(`DELETE FROM ${this.t}_observation WHERE component = ANY($1::bigint[])`, [components]);
        await tx.query(`DELETE FROM ${this.t}_refused WHERE component = ANY($1::bigint[])`, [components]);
        await tx.query(`DELETE FROM ${this.t}_attachment WHERE n = ANY($1::bigint[]) OR x = ANY($1::bigint[])`, [erasedIds]);
        await tx.query(`DELETE FROM ${this.t}_identifier WHERE id = ANY($1::bigint[])`, [erasedIds]);
        const ids = await this.writeIdentifiers(tx, graph, comp.members.filter((m) => !erasedKeys.has(identifierKey(m))));
        const label = labels(graph, ids);
        await this.insertObservations(tx, liveObservations(graph, 0), ids, label, graph);
        await this.insertRefused(tx, graph, label);
        const proofs = (await Promise.all(r.erased.map((i) => erasureProof(i, this.salt)))).sort();
        await tx.query(`INSERT INTO ${this.t}_erasure (proof, erased_at) SELECT p, $2 FROM unnest($1::text[]) AS p ON CONFLICT (proof) DO NOTHING`, [proofs, now]);
        return { erasedAt: now, identifiers: r.erased.length, proofs, profiles: r.profiles, changes: r.changes } satisfies IdentityErasureReceipt;
      }),
    );
    return result;
  }

  private async lock(tx: SqlQueryable): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${this.t}:write`]);
  }

  private async loadComponents(q: SqlQueryable, components: number[]): Promise<Component> {
    if (components.length === 0) return { members: [], observations: [] };
    const m = await q.query<{ id: string; type: string; value: string; component: string; last_seen: string }>(
      `SELECT id, type, value, component, last_seen FROM ${this.t}_identifier WHERE component = ANY($1::bigint[])`,
      [components],
    );
    const o = await q.query<{ at: string; source: string; identifiers: Array<string | number> }>(
      `SELECT at, source, identifiers FROM ${this.t}_observation WHERE component = ANY($1::bigint[]) ORDER BY id`,
      [components],
    );
    return {
      members: m.rows.map((r) => ({ id: Number(r.id), type: r.type, value: r.value, component: Number(r.component), lastSeen: Number(r.last_seen) })),
      observations: o.rows.map((r) => ({ at: Number(r.at), source: r.source, identifiers: r.identifiers.map(Number) })),
    };
  }

  /** Inserts identifiers new to the database and updates every identifier's component, profile and sightings. */
  private async writeIdentifiers(tx: SqlQueryable, graph: IdentityGraph, known: MemberRow[]): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (const m of known) ids.set(identifierKey(m), m.id);
    const live = liveIdentifiers(graph);
    const fresh = live.filter((l) => !ids.has(identifierKey(l.identifier)));
    if (fresh.length > 0) {
      const { rows } = await tx.query<{ id: string; type: string; value: string }>(
        `INSERT INTO ${this.t}_identifier (type, value, component, profile_id, first_seen, last_seen)
         SELECT t, v, 0, '', 0, 0 FROM unnest($1::text[], $2::text[]) AS x(t, v) RETURNING id, type, value`,
        [fresh.map((l) => l.identifier.type), fresh.map((l) => l.identifier.value)],
      );
      for (const r of rows) ids.set(`${r.type}:${r.value}`, Number(r.id));
    }
    const label = labels(graph, ids);
    await tx.query(
      `UPDATE ${this.t}_identifier i SET component = u.c, profile_id = u.p, first_seen = u.f, last_seen = u.l
       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[]) AS u(id, c, p, f, l) WHERE i.id = u.id`,
      [
        live.map((l) => ids.get(identifierKey(l.identifier))!),
        live.map((l) => label.get(l.component)!),
        live.map((l) => l.profileId),
        live.map((l) => l.firstSeen),
        live.map((l) => l.lastSeen),
      ],
    );
    return ids;
  }

  private async insertObservations(tx: SqlQueryable, observations: ReturnType<typeof liveObservations>, ids: Map<string, number>, label: Map<number, number>, graph: IdentityGraph): Promise<void> {
    if (observations.length === 0) return;
    const rootOf = rootsByKey(graph);
    await tx.query(
      `INSERT INTO ${this.t}_observation (component, at, source, identifiers)
       SELECT c, a, s, translate(i, '[]', '{}')::bigint[] FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS x(c, a, s, i)`,
      [
        observations.map((o) => label.get(rootOf.get(identifierKey(o.identifiers[0]!))!)!),
        observations.map((o) => o.at),
        observations.map((o) => o.source),
        observations.map((o) => JSON.stringify(o.identifiers.map((i) => ids.get(identifierKey(i))!))),
      ],
    );
  }

  private async insertAttachments(tx: SqlQueryable, graph: IdentityGraph, ids: Map<string, number>): Promise<void> {
    const pairs = liveAttachments(graph);
    if (pairs.length === 0) return;
    await tx.query(`INSERT INTO ${this.t}_attachment (n, x) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`, [
      pairs.map((p) => ids.get(identifierKey(p.n))!),
      pairs.map((p) => ids.get(identifierKey(p.x))!),
    ]);
  }

  /** Attachments touching a component: of its members (as `x`) and of the non-linking ones it holds (as `n`). */
  private async loadAttachments(q: SqlQueryable, component: number): Promise<Array<{ n: number; x: number; nComponent: number }>> {
    const { rows } = await q.query<{ n: string; x: string; c: string }>(
      `SELECT a.n, a.x, ni.component AS c FROM ${this.t}_attachment a JOIN ${this.t}_identifier ni ON ni.id = a.n
       WHERE a.n IN (SELECT a2.n FROM ${this.t}_attachment a2 JOIN ${this.t}_identifier i ON i.id = a2.x WHERE i.component = $1)
          OR ni.component = $1`,
      [component],
    );
    return rows.map((r) => ({ n: Number(r.n), x: Number(r.x), nComponent: Number(r.c) }));
  }

  private async insertRefused(tx: SqlQueryable, graph: IdentityGraph, label: Map<number, number>): Promise<void> {
    const refused = graph.refused();
    if (refused.length === 0) return;
    const rootOf = rootsByKey(graph);
    await tx.query(`INSERT INTO ${this.t}_refused (component, link) SELECT c, l FROM unnest($1::bigint[], $2::jsonb[]) AS x(c, l)`, [
      refused.map((r) => label.get(rootOf.get(identifierKey(r.from))!)!),
      refused.map((r) => JSON.stringify(r)),
    ]);
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CrossChannelError) throw e;
      throw new CrossChannelError('STORE_ERROR', `PostgreSQL identity store: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

function toInputs(comp: Component): ObservationInput[] {
  const byId = new Map<number, Identifier>();
  for (const m of comp.members) byId.set(m.id, { type: m.type, value: m.value });
  return comp.observations.map((o) => ({ identifiers: o.identifiers.map((i) => byId.get(i)!), at: o.at, source: o.source }));
}

function rootsByKey(graph: IdentityGraph): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of liveIdentifiers(graph)) out.set(identifierKey(l.identifier), l.component);
  return out;
}

/** Database label of each raw component of the graph: the smallest identifier row id in it. */
function labels(graph: IdentityGraph, ids: Map<string, number>): Map<number, number> {
  const label = new Map<number, number>();
  for (const l of liveIdentifiers(graph)) {
    const id = ids.get(identifierKey(l.identifier));
    if (id === undefined) continue;
    const cur = label.get(l.component);
    if (cur === undefined || id < cur) label.set(l.component, id);
  }
  return label;
}

function oldToNew(members: MemberRow[], graph: IdentityGraph, label: Map<number, number>): { from: number[]; to: number[] } {
  const rootOf = rootsByKey(graph);
  const from: number[] = [];
  const to: number[] = [];
  const seen = new Set<number>();
  for (const m of members) {
    if (seen.has(m.component)) continue;
    seen.add(m.component);
    from.push(m.component);
    to.push(label.get(rootOf.get(identifierKey(m))!)!);
  }
  return { from, to };
}
