/**
 * `crosschannel/decide` behind a plain Node `http` server: the one endpoint every channel calls.
 *
 *   POST /decide       { requestId, identifiers, channel, now?, slots?, tcString?, … } → the decision + trace
 *   POST /responses    { responseId, identifiers, kind, channel, offerId?, contactId?, now? }
 *   POST /conversions  { conversionId, identifiers, channel, value, now? }
 *   GET  /healthz
 *
 * The service is stateless: all state is in the stores (memory here; swap in `RedisContactHistoryStore` and the
 * PostgreSQL stores to run several instances behind a load balancer). `Sec-GPC: 1` is honoured. Errors map to
 * HTTP codes: invalid input 400, unknown person 404, a store failure or timeout 503 (the decision failed
 * closed: nothing was sent, nothing half recorded; retry with the same requestId).
 *
 * Run: npx tsx examples/http-service.ts            (listens on $PORT or 3000)
 *      npx tsx examples/http-service.ts --self-test (starts on a free port, sends a few requests, exits)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore, MemoryOfferCapacityStore } from 'crosschannel/adapters/memory';
import { isCrossChannelError, type CrossChannelError } from 'crosschannel';
import { readGpc } from 'crosschannel/consent';
import { parseDecideConfig, recordConversion, recordResponse, safeDecide, type DecideConfig, type DecideStores, type DecisionTrace } from 'crosschannel/decide';

const MAX_BODY = 64 * 1024;

/** The decision configuration (in a real service: loaded from a JSON file and parsed once at start-up). */
export const config: DecideConfig = parseDecideConfig({
  catalogue: {
    timeZone: 'Europe/Paris',
    offers: [
      { id: 'welcome-10', channels: ['web', 'email'], value: 10, tags: ['marketing', 'discount'] },
      { id: 'newsletter', channels: ['web', 'app'], value: 2, tags: ['marketing'] },
    ],
  },
  caps: {
    timeZone: 'Europe/Paris',
    rules: [
      { id: 'marketing-week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } },
      { id: 'email-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'email' } },
    ],
  },
  consent: { purpose: 'marketing', ledgerChannels: ['email', 'sms', 'push'] },
  timeZone: 'Europe/Paris',
  storeTimeoutMs: 100,
  alternatives: ['email', 'web'],
});

/** Stores of this process. Shared state (Redis, PostgreSQL) makes the handler horizontally scalable. */
export function memoryStores(): DecideStores {
  return {
    identity: new MemoryIdentityStore({ erasureSalt: process.env.ERASURE_SALT ?? 'change-me' }),
    consent: new MemoryConsentStore({ erasureSalt: process.env.ERASURE_SALT ?? 'change-me' }),
    contacts: new MemoryContactHistoryStore(),
    events: new MemoryEventStore(),
    offerCapacity: new MemoryOfferCapacityStore(),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('Body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw Object.assign(new Error('Body is not JSON'), { status: 400 });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** HTTP status of a typed error: the caller's fault (4xx) or ours / a dependency's (5xx). */
function statusOf(code: string): number {
  if (code === 'INPUT_INVALID' || code === 'TIMEZONE_INVALID' || code === 'TIME_INVALID') return 400;
  if (code === 'DECIDE_UNKNOWN_PERSON') return 404;
  if (code === 'STORE_ERROR' || code === 'STORE_TIMEOUT') return 503;
  if (code === 'STORE_CONFLICT') return 409;
  return 500;
}

/**
 * The body of a 5xx answer: the code only, in the error and in the failed stage of the trace. A store's message is
 * free text (a driver may quote a key, a host or a person's identifier): it goes to the server's log, not to the
 * caller. A 4xx error describes the caller's own input and is returned whole.
 */
function serverFault(error: CrossChannelError, trace?: DecisionTrace): object {
  console.error(`decide failed: ${error.code}: ${error.message}`);
  const stages = trace?.stages.map((s) => (s.error === undefined ? s : { ...s, error: { code: s.error.code } }));
  return { error: { code: error.code }, ...(trace === undefined ? {} : { trace: { ...trace, stages } }) };
}

/** Fills `now` from the server clock when the caller leaves it out: the only clock read, at the edge. */
function withNow(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return 'now' in body ? body : { ...body, now: Date.now() };
}

/** The request handler: routing, body parsing, GPC, error mapping. */
export function handler(stores: DecideStores, cfg: DecideConfig = config) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { ok: true });
      if (req.method !== 'POST') return send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Use POST' } });
      const body = withNow(await readJson(req));
      if (req.url === '/decide') {
        const gpc = readGpc({ headers: req.headers });
        const request = gpc.optOut && typeof body === 'object' && body !== null ? { ...body, gpc: true } : body;
        const r = await safeDecide(request, stores, cfg);
        if (r.ok) return send(res, 200, r.value);
        // Fail closed: the channel shows its default content; the trace says which stage failed and why.
        const status = statusOf(r.error.code);
        return send(res, status, status < 500 ? { error: r.error.toJSON(), trace: r.trace } : serverFault(r.error, r.trace));
      }
      if (req.url === '/responses') return send(res, 200, await recordResponse(body, stores, cfg));
      if (req.url === '/conversions') return send(res, 200, await recordConversion(body, stores, cfg));
      return send(res, 404, { error: { code: 'NOT_FOUND', message: `No route ${req.url ?? ''}` } });
    } catch (e) {
      if (isCrossChannelError(e)) return send(res, statusOf(e.code), statusOf(e.code) < 500 ? { error: e.toJSON() } : serverFault(e));
      const status = (e as { status?: number }).status ?? 500;
      return send(res, status, { error: { code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: status === 500 ? 'Internal error' : (e as Error).message } });
    }
  };
}

/** Starts the service on `port` (0: a free one). */
export async function start(port: number, stores: DecideStores = memoryStores(), cfg: DecideConfig = config): Promise<Server> {
  const h = handler(stores, cfg);
  const server = createServer((req, res) => void h(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

async function selfTest(): Promise<void> {
  const stores = memoryStores();
  const server = await start(0, stores);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> => {
    const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: r.status, json: await r.json() };
  };
  const now = Date.parse('2026-03-03T10:00:00Z');
  const visitor = [{ type: 'cookie_id', value: 'ck-42' }];
  const a = await post('/decide', { requestId: 'web-1', identifiers: visitor, channel: 'web', now });
  console.log(`POST /decide (web)          → ${a.status} contact=${a.json.contact} offers=${a.json.offers.map((o: { offerId: string }) => o.offerId).join(',')}`);
  const b = await post('/decide', { requestId: 'mail-1', identifiers: visitor, channel: 'email', now });
  console.log(`POST /decide (email)        → ${b.status} contact=${b.json.contact} reasons=${b.json.reasons.map((r: { code: string }) => r.code).join(',')}`);
  const c = await post('/responses', { responseId: 'resp-1', identifiers: visitor, kind: 'accepted', channel: 'web', offerId: a.json.offers[0]?.offerId, contactId: a.json.offers[0]?.contactId, now: now + 60_000 });
  console.log(`POST /responses             → ${c.status} recorded ${c.json.response?.kind}`);
  const d = await post('/decide', { requestId: 'bad', identifiers: [], channel: 'web' });
  console.log(`POST /decide (bad input)    → ${d.status} ${d.json.error.code} at ${d.json.error.path}`);
  const e = await post('/decide', { requestId: 'web-2', identifiers: visitor, channel: 'web', now: now + 120_000 }, { 'Sec-GPC': '1' });
  // GPC opts out of sale/sharing; a first-party offer on our own site is neither (see consent.gpcChannels).
  console.log(`POST /decide (Sec-GPC: 1)   → ${e.status} contact=${e.json.contact}`);
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('http-service.ts');
if (isMain) {
  if (process.argv.includes('--self-test')) await selfTest();
  else {
    const port = Number(process.env.PORT ?? 3000);
    await start(port);
    console.log(`crosschannel decide service on http://127.0.0.1:${port} (POST /decide, /responses, /conversions)`);
  }
}
