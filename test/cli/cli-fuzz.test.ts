/**
 * The command line never crashes: any arguments over any file contents end in exit 0 (done), 1 (bad input, with
 * a message naming it) or 2 (usage), never a thrown error (which the bin file turns into exit 70 and a stack
 * trace). Files are valid inputs with one place changed, JSON values, arbitrary text and CSV with stray quotes;
 * paths that are missing or a directory, and an output path that cannot be written. CLI_FUZZ_RUNS and
 * CLI_FUZZ_SEED widen a hunt.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/index.js';
import { encodeGpp, encodeTcString } from '../../src/consent/index.js';
import { mutantsOf } from '../arbitraries/junk.js';

const RUNS = Number(process.env.CLI_FUZZ_RUNS ?? 400);
const SEED = Number(process.env.CLI_FUZZ_SEED ?? 20261205);

const TC = encodeTcString({
  created: Date.UTC(2026, 0, 1), lastUpdated: Date.UTC(2026, 0, 2), cmpId: 7, cmpVersion: 1, consentScreen: 1, consentLanguage: 'FR',
  vendorListVersion: 42, policyVersion: 4, isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [],
  purposeConsents: [1, 2, 3], purposeLegitimateInterests: [], purposeOneTreatment: false, publisherCountryCode: 'FR',
  vendorConsents: [1, 2, 10], vendorLegitimateInterests: [],
});
const GPP = encodeGpp([{ kind: 'uspv1', notice: 'Y', optOutSale: 'N', lspaCovered: 'N' }]);

const RULES = [
  { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
  { id: 'buyers', rule: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } },
];
const PROFILE = { id: 'p1', country: 'FR', tier: 2 };
const EVENT = { id: 'e1', subjectId: 'p1', type: 'purchase', at: '2026-05-20T10:00:00Z', channel: 'web', properties: { value: 20 } };
const CAPS = { rules: [{ id: 'day', kind: 'limit', limit: 2, window: 'day', scope: { tags: 'marketing' } }] };
const CATALOGUE = { offers: [{ id: 'a', channels: ['email'], value: 3 }] };
const TOUCHPOINTS = 'subjectId,channel,at\np1,email,2026-05-01T10:00:00Z\np1,search,1777000000000\np2,"so,cial",2026-05-02T10:00:00Z\n';
const CONVERSIONS = 'subjectId,at,value\np1,2026-05-03T10:00:00Z,120\np2,1777100000000,\n';

/** Text that stringify cannot write (a BigInt, a symbol in a mutant) becomes a string of its own. */
const asText = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(typeof v);
  } catch {
    return String(typeof v);
  }
};
const mutantText = (valid: unknown, n: number, seed: number): string[] => mutantsOf(valid, n, seed).map((m) => asText(m.value));

const jsonFile: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...mutantText(RULES, 120, SEED), ...mutantText(CAPS, 60, SEED + 1), ...mutantText(CATALOGUE, 40, SEED + 2)) },
  { weight: 1, arbitrary: fc.constantFrom(asText(RULES), asText(CAPS), asText(CATALOGUE), '', '{', '[', 'null', '[]', '{}', '"x"', '1e999', '{"kind":"caps"}', '{"kind":"nope","rules":[]}') },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const jsonLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...mutantText(PROFILE, 60, SEED + 3), ...mutantText(EVENT, 120, SEED + 4)) },
  { weight: 2, arbitrary: fc.constantFrom(asText(PROFILE), asText({ ...PROFILE, id: 'p2' }), asText(EVENT), asText({ ...EVENT, subjectId: 'p2' }), '', '   ', 'null', '[1]', '{"id":"p1"}') },
  { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
const jsonLinesFile = fc.array(jsonLine, { maxLength: 5 }).map((lines) => lines.join(fc.sample(fc.constantFrom('\n', '\r\n'), 1)[0]));
const cell = fc.oneof(
  fc.constantFrom('p1', 'p2', 'email', 'search', '2026-05-01T10:00:00Z', '1777000000000', '12', '-1', 'NaN', '1e400', '', '"', '""', 'a"b', '"x,y"', '2026-13-45'),
  fc.string({ maxLength: 6 }),
);
const csvFile: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(TOUCHPOINTS, CONVERSIONS, '', '\n', 'subjectId,channel,at\n', 'subjectId,at,value\np1,2026-05-03T10:00:00Z,abc\n') },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('subjectId,channel,at', 'subjectId,at,value', 'subjectId,at', 'a,b', 'subjectId,subjectId,at'), fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 4 }))
      .map(([header, rows]) => [header, ...rows.map((r) => r.join(','))].join('\n')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

/** A world of files for one run: the paths an argument list may name. */
interface World {
  rules: string;
  profiles: string;
  events: string;
  touchpoints: string;
  conversions: string;
}
const world: fc.Arbitrary<World> = fc.record({ rules: jsonFile, profiles: jsonLinesFile, events: jsonLinesFile, touchpoints: csvFile, conversions: csvFile });

// Path names: the world's files, a missing one, a directory, and the same names as junk.
const input = (name: keyof World): fc.Arbitrary<string> => fc.oneof({ weight: 6, arbitrary: fc.constant(`/w/${name}`) }, { weight: 1, arbitrary: fc.constantFrom('/w/missing.json', '/w', '/w/rules/x') });
const maybe = (flag: string, value: fc.Arbitrary<string>): fc.Arbitrary<string[]> => fc.option(value.map((v) => [flag, v]), { nil: undefined }).map((x) => x ?? []);
const flag = (name: string): fc.Arbitrary<string[]> => fc.boolean().map((b) => (b ? [name] : []));
const time = fc.constantFrom('2026-06-01T00:00:00Z', '2026-06-01', 'yesterday', '1777000000000', '', '2026-06-01T00:00:00+14:00');
const MODELS = ['linear', 'markov', 'shapley', 'last_touch', 'first_touch', 'time_decay', 'position_based', 'last_non_direct', 'custom', 'nope', ''];

const argv: fc.Arbitrary<string[]> = fc
  .tuple(
    fc.oneof(
      fc.tuple(fc.constantFrom('tcf', 'gpp'), fc.constantFrom('decode', 'encode'), fc.oneof(fc.constantFrom(TC, GPP, `${TC}x`, GPP.slice(0, -1), '', 'D~'), fc.string({ maxLength: 30 })), flag('--json')).map(([c, s, v, j]) => [c, s, v, ...j]),
      fc
        .tuple(fc.constantFrom('/w/rules', '/w/rules', '/w/missing.json', '/w'), maybe('--kind', fc.constantFrom('caps', 'segments', 'catalogue', 'decide', 'journey', 'experiment', 'consent-policy', 'identity-rules', 'attribution', 'nope', '__proto__', 'constructor')), flag('--json'))
        .map(([f, k, j]) => ['check', f, ...k, ...j]),
      fc
        .tuple(input('rules'), input('profiles'), maybe('--events', input('events')), maybe('--now', time), flag('--json'))
        .map(([r, p, e, n, j]) => ['segments', 'eval', '--rules', r, '--profiles', p, ...e, ...n, ...j]),
      fc
        .tuple(input('touchpoints'), input('conversions'), fc.array(fc.constantFrom(...MODELS), { maxLength: 3 }), maybe('--lookback', fc.constantFrom('30d', '1h', '0d', '-1d', 'x', '')), fc.constantFrom([], ['--json'], ['--html', '/w/out.html'], ['--html', '/nowhere/out.html']))
        .map(([t, c, models, l, out]) => ['attribution', '--touchpoints', t, '--conversions', c, ...models.flatMap((m) => ['--model', m]), ...l, ...out]),
      fc.constant<string[]>(['demo']),
    ),
    // Sometimes a stray token somewhere: an unknown flag, a missing value, help, a positional.
    fc.option(fc.tuple(fc.nat(8), fc.constantFrom('--json', '--kind', '--model', '--now', '--help', '-h', '--', 'extra', '--rules', '--version')), { nil: undefined }),
  )
  .map(([args, stray]) => (stray === undefined ? args : [...args.slice(0, stray[0]), stray[1], ...args.slice(stray[0])]));

function virtualIo(files: World): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const at: Record<string, string> = { '/w/rules': files.rules, '/w/profiles': files.profiles, '/w/events': files.events, '/w/touchpoints': files.touchpoints, '/w/conversions': files.conversions };
  const fail = (code: string, path: string): Promise<never> => Promise.reject(Object.assign(new Error(`${code}: ${path}`), { code, path }));
  const io: CliIo = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    readFile: (p) => (Object.hasOwn(at, p) ? Promise.resolve(at[p]!) : p === '/w' ? fail('EISDIR', p) : p.startsWith('/w/rules/') ? fail('ENOTDIR', p) : fail('ENOENT', p)),
    writeFile: (p) => (p.startsWith('/w/') ? Promise.resolve() : fail('ENOENT', p)),
    now: () => Date.UTC(2026, 5, 1),
    isTTY: false,
  };
  return { io, out: () => out, err: () => err };
}

describe('crosschannel CLI: never a crash', () => {
  it('any arguments over any files exit 0, 1 or 2, with a message (never a stack trace) when not 0', async () => {
    await fc.assert(
      fc.asyncProperty(argv, world, async (args, files) => {
        const { io, out, err } = virtualIo(files);
        let code: number;
        try {
          code = await main(args, io);
        } catch (e) {
          throw new Error(`main threw for ${JSON.stringify(args)}: ${e instanceof Error ? e.stack : String(e)}`);
        }
        expect([0, 1, 2], JSON.stringify(args)).toContain(code);
        // Not 0: a message on stderr (or, for `check --json`, the errors as JSON on stdout); never a stack trace.
        if (code !== 0) expect(err().length + out().length, JSON.stringify(args)).toBeGreaterThan(0);
        expect(err() + out(), JSON.stringify(args)).not.toMatch(/\n\s+at /);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 120_000);

  it('files that cannot be read or written are named, with the system code (exit 1)', async () => {
    const files: World = { rules: JSON.stringify(RULES), profiles: JSON.stringify(PROFILE), events: JSON.stringify(EVENT), touchpoints: TOUCHPOINTS, conversions: CONVERSIONS };
    const cases: Array<[string[], string]> = [
      [['segments', 'eval', '--rules', '/w', '--profiles', '/w/profiles'], 'cannot read /w (EISDIR)'],
      [['segments', 'eval', '--rules', '/w/rules', '--profiles', '/w/missing.jsonl'], 'cannot read /w/missing.jsonl (ENOENT)'],
      [['check', '/w/rules/x'], 'cannot read /w/rules/x (ENOTDIR)'],
      [['attribution', '--touchpoints', '/w/touchpoints', '--conversions', '/w/conversions', '--html', '/nowhere/out.html'], 'cannot write /nowhere/out.html (ENOENT)'],
    ];
    for (const [args, message] of cases) {
      const { io, err } = virtualIo(files);
      expect(await main(args, io), args.join(' ')).toBe(1);
      expect(err()).toBe(`crosschannel: ${message}\n`);
    }
  });

  it('segments eval: malformed rules JSON, a bad event and a repeated profile are named at their file and line (exit 1)', async () => {
    const base: World = { rules: JSON.stringify(RULES), profiles: '', events: '', touchpoints: '', conversions: '' };
    const run = async (files: Partial<World>, events = true): Promise<string> => {
      const { io, err } = virtualIo({ ...base, ...files });
      expect(await main(['segments', 'eval', '--rules', '/w/rules', '--profiles', '/w/profiles', ...(events ? ['--events', '/w/events'] : [])], io)).toBe(1);
      return err();
    };
    expect(await run({ rules: '{' })).toMatch(/^crosschannel: INPUT_INVALID at \["\/w\/rules"\]: \/w\/rules is not JSON: /);
    // Line numbers count the blank lines skipped before a line.
    const profiles = `${JSON.stringify(PROFILE)}\n\n${JSON.stringify(PROFILE)}\n`;
    expect(await run({ profiles }, false)).toBe('crosschannel: INPUT_INVALID at ["/w/profiles"][3].id: /w/profiles line 3: profile "p1" is also on line 1\n');
    expect(await run({ profiles: `\n${JSON.stringify({ country: 'FR' })}` }, false)).toContain('at ["/w/profiles"][2].id: /w/profiles line 2: "id" must be a string');
    const p = JSON.stringify(PROFILE);
    expect(await run({ profiles: p, events: `${JSON.stringify(EVENT)}\n${JSON.stringify({ ...EVENT, subjectId: 7 })}` })).toMatch(/^crosschannel: INPUT_INVALID at \["\/w\/events"\]\[2\]\.subjectId: /);
    expect(await run({ profiles: p, events: JSON.stringify({ ...EVENT, at: 'garbage' }) })).toMatch(/^crosschannel: INPUT_INVALID at \["\/w\/events"\]\[1\]\.at: /);
    expect(await run({ profiles: p, events: JSON.stringify({ ...EVENT, properties: 5 }) })).toMatch(/^crosschannel: INPUT_INVALID at \["\/w\/events"\]\[1\]\.properties: /);
    expect(await run({ profiles: p, events: JSON.stringify({ ...EVENT, type: 5 }) })).toMatch(/^crosschannel: INPUT_INVALID at \["\/w\/events"\]\[1\]\.type: /);
  });
});
