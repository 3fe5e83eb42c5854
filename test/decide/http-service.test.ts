/**
 * The HTTP example (examples/http-service.ts) as a service: routes, status codes, fail-closed answers with
 * their trace, GPC, and the server clock filling `now`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryStores, start } from '../../examples/http-service.js';
import { parseDecideConfig, type DecideConfigInput, type DecideStores } from '../../src/decide/index.js';
import { withMethod } from '../arbitraries/stores.js';

const CONFIG_INPUT = {
  catalogue: { offers: [{ id: 'welcome-10', channels: ['web', 'email'], value: 10, tags: ['marketing'] }] },
  caps: { rules: [] },
  consent: { purpose: 'marketing', ledgerChannels: ['email'] },
} satisfies DecideConfigInput;

describe('examples/http-service.ts', () => {
  let server: Server;
  let base: string;
  const stores: DecideStores = memoryStores();
  let failHistory = false;

  beforeAll(async () => {
    const contacts = stores.contacts;
    const flaky: DecideStores = {
      ...stores,
      contacts: withMethod(contacts, 'history', (original, ...args) => (failHistory ? Promise.reject(new Error('redis down reading history:ann@example.com')) : original(...args))),
    };
    server = await start(0, flaky);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> => {
    const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: r.status, json: await r.json() };
  };
  const now = Date.parse('2026-03-03T10:00:00Z');
  const visitor = [{ type: 'cookie_id', value: 'ck-http' }];

  it('answers a decision with its trace, and records the response', async () => {
    const d = await post('/decide', { requestId: 'h1', identifiers: visitor, channel: 'web', now });
    expect(d.status).toBe(200);
    expect(d.json.contact).toBe(true);
    expect(d.json.trace.stages.map((s: { stage: string }) => s.stage)).toContain('reserve');
    const offer = d.json.offers[0];
    const r = await post('/responses', { responseId: 'hr1', identifiers: visitor, kind: 'accepted', channel: 'web', offerId: offer.offerId, contactId: offer.contactId, now: now + 1000 });
    expect(r.status).toBe(200);
    expect(r.json.response.kind).toBe('accepted');
  });

  it('fills now from the server clock when the caller leaves it out', async () => {
    const d = await post('/decide', { requestId: 'h-now', identifiers: visitor, channel: 'email' });
    expect(d.status).toBe(200);
    expect(Math.abs(d.json.trace.now - Date.now())).toBeLessThan(60_000);
  });

  it('maps errors: 400 bad input with the path, 404 unknown person, 413 huge body, 405, 404 route', async () => {
    const bad = await post('/decide', { requestId: 'h2', identifiers: [], channel: 'web', now });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'INPUT_INVALID', path: 'identifiers' });
    expect((await post('/decide', '{not json')).status).toBe(400);
    const unknown = await post('/responses', { responseId: 'x', identifiers: [{ type: 'email', value: 'nobody@example.com' }], kind: 'accepted', channel: 'web', now });
    expect(unknown.status).toBe(404);
    expect((await post('/decide', 'x'.repeat(70_000))).status).toBe(413);
    expect((await fetch(`${base}/decide`)).status).toBe(405);
    expect((await post('/nope', {})).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('fails closed with 503, the error code and the trace when a store is down (the store message stays in the server log)', async () => {
    failHistory = true;
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    try {
      const d = await post('/decide', { requestId: 'h3', identifiers: visitor, channel: 'web', now: now + 5000 });
      expect(d.status).toBe(503);
      expect(d.json.error.code).toBe('STORE_ERROR');
      expect(d.json.trace.stages.at(-1)).toMatchObject({ stage: 'load', status: 'failed', error: { code: 'STORE_ERROR' } });
      expect(d.json.contact).toBeUndefined();
      // The store's message is free text (here an email): logged on the server, never sent to the caller.
      expect(JSON.stringify(d.json)).not.toMatch(/ann@example|redis down/);
      expect(errors.join('\n')).toMatch(/STORE_ERROR: .*redis down/);
    } finally {
      failHistory = false;
      spy.mockRestore();
    }
  });

  it('passes the Sec-GPC header on as the request’s gpc flag', async () => {
    const d = await post('/decide', { requestId: 'h4', identifiers: [{ type: 'cookie_id', value: 'ck-gpc' }], channel: 'web', now }, { 'Sec-GPC': '1' });
    expect(d.status).toBe(200);
    // GPC opts out of sale/sharing; a first-party offer on the site is neither, so it still shows…
    expect(d.json.contact).toBe(true);
    // …unless the service switches the channel off under GPC.
    const strict = await start(0, memoryStores(), parseDecideConfig({ ...CONFIG_INPUT, consent: { ...CONFIG_INPUT.consent, gpcChannels: ['web'] } }));
    try {
      const url = `http://127.0.0.1:${(strict.address() as AddressInfo).port}/decide`;
      const body = JSON.stringify({ requestId: 'h5', identifiers: [{ type: 'cookie_id', value: 'ck-gpc' }], channel: 'web', now });
      const withGpc = (await (await fetch(url, { method: 'POST', headers: { 'Sec-GPC': '1' }, body })).json()) as { contact: boolean; reasons: Array<{ code: string }> };
      expect(withGpc.contact).toBe(false);
      expect(withGpc.reasons.map((r) => r.code)).toContain('CONSENT_GPC_OPT_OUT');
      const without = (await (await fetch(url, { method: 'POST', body: body.replace('h5', 'h6') })).json()) as { contact: boolean };
      expect(without.contact).toBe(true);
    } finally {
      await new Promise<void>((resolve) => strict.close(() => resolve()));
    }
  });
});
