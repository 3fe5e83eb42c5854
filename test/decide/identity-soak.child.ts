/**
 * Soak run for defect 3 (run by identity-soak.test.ts in a child process with --expose-gc): 1,000,000 decisions
 * for 1,000 people with the default identity config (every decision observes its identifiers). Prints the heap
 * after a full GC at checkpoints as one JSON line. Usage: node --expose-gc --import tsx identity-soak.child.ts [decisions]
 */
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore } from '../../src/adapters/memory/index.js';
import { decide, parseDecideConfig, type DecideStores } from '../../src/decide/index.js';

const DECISIONS = Number(process.argv[2] ?? 1_000_000);
const PEOPLE = 1000;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const config = parseDecideConfig({
  catalogue: { timeZone: 'Europe/Paris', offers: [{ id: 'welcome', channels: ['email'], value: 10, tags: ['marketing'] }] },
  caps: { timeZone: 'Europe/Paris', rules: [{ id: 'email-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'email' } }] },
  consent: { purpose: 'marketing', ledgerChannels: ['email'] },
  timeZone: 'Europe/Paris',
  storeTimeoutMs: 5000,
});
const stores: DecideStores = {
  identity: new MemoryIdentityStore({ erasureSalt: 'soak' }),
  consent: new MemoryConsentStore({ erasureSalt: 'soak' }),
  contacts: new MemoryContactHistoryStore(),
  events: new MemoryEventStore(),
};
const ids = (p: number) => [{ type: 'cookie_id', value: `ck-${p}` }, { type: 'email', value: `p${p}@shop.test` }];
for (let p = 0; p < PEOPLE; p++) {
  const report = await stores.identity.addObservations([{ identifiers: ids(p), at: T0 - 1000, source: 'signup' }]);
  const subjectId = report.profiles[0]!;
  const base = { subjectId, channel: 'email', purpose: 'marketing', evidence: { source: 'form' } };
  await stores.consent.append({ ...base, id: `${p}-g`, kind: 'granted', at: T0 - 1000 });
}

const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const checkpoints: Array<{ decisions: number; heapBytes: number }> = [];
let contacts = 0;
const warmup = Math.min(100_000, Math.floor(DECISIONS / 10));
const started = performance.now();
for (let i = 0; i < DECISIONS; i++) {
  if (i === warmup || i === Math.floor(DECISIONS / 2)) checkpoints.push({ decisions: i, heapBytes: heap() });
  const p = i % PEOPLE;
  // The clock moves a millisecond per decision: the whole run is one day, so each person is contacted once and
  // every other decision is refused by the cap: the history stays small, identity is what could still grow.
  const r = await decide({ requestId: `r${i}`, identifiers: ids(p), channel: 'email', now: T0 + i }, stores, config);
  if (r.contact) contacts++;
}
checkpoints.push({ decisions: DECISIONS, heapBytes: heap() });
const size = (stores.identity as MemoryIdentityStore).graph.size;
console.log(JSON.stringify({ decisions: DECISIONS, people: PEOPLE, contacts, checkpoints, identity: size, seconds: (performance.now() - started) / 1000 }));
