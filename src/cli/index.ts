/**
 * The `crosschannel` command line: decode TC and GPP strings, check configuration files (every error with its
 * path), evaluate segments over JSON-lines profiles, compare attribution models over CSV exports, and a short
 * demo. Arguments are read with Node's `util.parseArgs`; every command is a function of its arguments and an
 * {@link CliIo}, so it is tested without spawning a process.
 *
 * Exit codes: 0 success, 1 invalid input (a config with errors, a string that does not decode), 2 usage error
 * (unknown command or option, a missing argument).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CrossChannelError, isCrossChannelError, parseWith, quoted, safeText, inputError } from '../core/errors.js';
import { behaviourEventSchema, sortByAt, type BehaviourEvent } from '../core/records.js';
import { MAX_EPOCH_MS, toEpochMs } from '../core/time.js';
import { decodeGpp } from '../consent/gpp/codec.js';
import { gppOptOuts } from '../consent/gpp/encode.js';
import { decodeTcString } from '../consent/tcf/decode.js';
import { IdSet } from '../consent/tcf/id-set.js';
import { parseConsentPolicy, type ConsentPolicyInput } from '../consent/ledger.js';
import { parseCapRules, type CapRuleSetInput } from '../capping/rules.js';
import { compileSegments } from '../segments/compile.js';
import { evaluateBatch } from '../segments/batch.js';
import { parseSegments, type SegmentDefinitionInput } from '../segments/dsl.js';
import { parseCatalogue, type CatalogueInput } from '../arbitration/offers.js';
import { buildJourneys, type ConversionRow, type TouchpointRow } from '../attribution/journeys.js';
import { compareModels } from '../attribution/attribute.js';
import { parseAttributionConfig, type AttributionConfigInput } from '../attribution/models.js';
import { formatAttributionTable, renderAttributionSvg } from '../attribution/report.js';
import type { AttributionComparison } from '../attribution/attribute.js';
import { parseIdentityRules, type IdentityRulesInput } from '../identity/rules.js';
import { parseDecideConfig, type DecideConfigInput } from '../decide/config.js';
import { decide } from '../decide/pipeline.js';
import { formatTrace } from '../decide/trace.js';
import { parseJourney } from '../journeys/compile.js';
import { parseExperiment } from '../experiments/index.js';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore, MemoryOfferCapacityStore } from '../adapters/memory/index.js';
import { readCsvTable, type CsvRow } from './csv.js';
import { ownValue } from '../core/own.js';

/**
 * What a command reads and writes: injected, so commands run in tests without a process.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  /** The current time (epoch ms), for `--now` defaults. */
  now(): number;
  /** True when stderr is a terminal: progress lines are shown then, never in `--json` output. */
  readonly isTTY: boolean;
}

/** The version printed by `--version` (the package's). */
export const CLI_VERSION = '0.1.0';

const USAGE = `crosschannel ${CLI_VERSION} — cross-channel marketing primitives from the command line

Usage:
  crosschannel tcf decode <tc-string> [--json]
  crosschannel gpp decode <gpp-string> [--sid <ids>] [--json]
  crosschannel check <config.json> [--kind caps|segments|catalogue|decide|journey|experiment|consent-policy|identity-rules|attribution] [--json]
  crosschannel segments eval --rules <segments.json> --profiles <profiles.jsonl> [--events <events.jsonl>] [--now <ISO>] [--json]
  crosschannel attribution --touchpoints <t.csv> --conversions <c.csv> [--model <name>]... [--lookback <duration>] [--json | --html <out.html>]
  crosschannel demo
  crosschannel --help | --version

Exit codes: 0 success, 1 invalid input, 2 usage error. Run \`crosschannel <command> --help\` for one command.
`;

const HELP: Record<string, string> = {
  tcf: `crosschannel tcf decode <tc-string> [--json]

Decodes an IAB TCF v2 TC string (core, disclosed vendors, publisher TC): version, CMP, dates, purposes,
special features, vendor consents and legitimate interests (as id ranges), publisher restrictions.
--json prints the decoded fields as JSON. Exit 1 when the string does not decode.
`,
  gpp: `crosschannel gpp decode <gpp-string> [--sid <ids>] [--json]

Decodes an IAB GPP string: the header, each section (tcfeuv2, uspv1, usnat, US state sections) and optOuts,
what the applicable sections let a downstream party do (saleOptOut, sharingOptOut = targetedAdvertisingOptOut,
gpc, unread: true = may not). --sid takes the gpp_sid parameter (2,7): the applicable sections (default: all).
--json prints the same as JSON. Exit 1 when the string does not decode.
`,
  check: `crosschannel check <config.json> [--kind <kind>] [--json]

Validates a configuration file and prints every error with its path. The kind comes from --kind, a top-level
"kind" field, or the shape: { rules } caps, [ … ] segments, { offers } catalogue, { catalogue, caps } decide,
{ steps, start } journey, { variants } experiment, { models } attribution. Kinds: ${[
    'caps',
    'segments',
    'catalogue',
    'decide',
    'journey',
    'experiment',
    'consent-policy',
    'identity-rules',
    'attribution',
  ].join(', ')}. Exit 0 valid, 1 invalid.
`,
  segments: `crosschannel segments eval --rules <segments.json> --profiles <profiles.jsonl> [--events <events.jsonl>] [--now <ISO>] [--json]

Evaluates a segment set (a JSON array of definitions) over people: one JSON object per line in profiles.jsonl,
{ "id": "p1", …attributes }; events.jsonl holds behaviour events { "id", "subjectId", "type", "at", "properties" }.
Prints the member count per segment, and with --json one line per person: { "id", "segments": [ … ] }.
`,
  attribution: `crosschannel attribution --touchpoints <t.csv> --conversions <c.csv> [--model <name>]... [--lookback <duration>] [--json | --html <out.html>]

Compares attribution models over CSV exports (RFC 4180, errors at the file's line): touchpoints (subjectId,
channel, at) and conversions (subjectId, at, value?), times as ISO 8601 with an offset or epoch ms, values as
decimal numbers (empty: 1). Models: last_touch, first_touch, linear,
time_decay, position_based, markov, shapley… (default: all built-in ones). Prints a table; --json the comparison;
--html writes a page with the chart.
`,
  demo: `crosschannel demo

Runs a short decision demo in memory: one person, a consent grant, three email decisions against a weekly cap
of two, each printed with its per-stage trace.
`,
};

class UsageError extends Error {}

/**
 * Runs the command line with `argv` (without the node and script paths) and returns the exit code.
 */
export async function main(argv: ReadonlyArray<string>, io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined) {
      // No command is a usage error: the usage goes to stderr, as for every usage error.
      io.stderr(USAGE);
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(`${CLI_VERSION}\n`);
      return 0;
    }
    // `--` ends the options: an argument after it named `--help` is a value (a file), not a request for help.
    const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (options.includes('--help') || options.includes('-h')) {
      // Own keys only: `constructor --help` is an unknown command, not Object's function printed as help.
      const text = ownValue(HELP, command);
      if (text === undefined) throw new UsageError(`Unknown command ${JSON.stringify(command)}`);
      io.stdout(text);
      return 0;
    }
    switch (command) {
      case 'tcf':
        return await tcfCommand(rest, io);
      case 'gpp':
        return await gppCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'segments':
        return await segmentsCommand(rest, io);
      case 'attribution':
        return await attributionCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      default:
        throw new UsageError(`Unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`crosschannel: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (isCrossChannelError(e)) {
      // The path is printed once, before the message (which may end with it too).
      const where = e.path ? ` at ${e.path}` : '';
      io.stderr(`crosschannel: ${e.code}${where}: ${where !== '' && e.message.endsWith(where) ? e.message.slice(0, -where.length) : e.message}\n`);
      return 1;
    }
    if (e instanceof FileError) {
      io.stderr(`crosschannel: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** A file a command could not read or write (missing, a directory, no permission, …): exit 1, naming it. */
class FileError extends Error {
  constructor(verb: 'read' | 'write', file: string, cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    super(`cannot ${verb} ${file} (${typeof code === 'string' ? code : safeText(cause instanceof Error ? cause.message : cause)})`, { cause });
  }
}

async function readInput(io: CliIo, file: string): Promise<string> {
  try {
    return await io.readFile(file);
  } catch (e) {
    // Bytes that are not UTF-8: the reader's error at the file's line, not a file that cannot be read.
    if (isCrossChannelError(e)) throw e;
    throw new FileError('read', file, e);
  }
}

async function writeOutput(io: CliIo, file: string, text: string): Promise<void> {
  try {
    await io.writeFile(file, text);
  } catch (e) {
    throw new FileError('write', file, e);
  }
}

/** A file holding one JSON document (a byte order mark at its start ignored); malformed JSON is `INPUT_INVALID` at the file's name. */
function jsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(withoutBom(text));
  } catch (e) {
    throw inputError(`${file} is not JSON: ${e instanceof Error ? e.message : safeText(e)}`, [file]);
  }
}

function args(rest: ReadonlyArray<string>, options: NonNullable<ParseArgsConfig['options']>, positionals: number): { values: Record<string, unknown>; positionals: string[] } {
  const r = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true, tokens: true });
  // A value option given twice (`--touchpoints a.csv --touchpoints b.csv`) would silently keep the last: refused.
  const given = new Set<string>();
  for (const t of r.tokens) {
    if (t.kind !== 'option' || options[t.name]?.type !== 'string' || options[t.name]?.multiple === true) continue;
    if (given.has(t.name)) throw new UsageError(`--${t.name} is given more than once`);
    given.add(t.name);
  }
  if (r.positionals.length !== positionals) throw new UsageError(`expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${r.positionals.length}`);
  return { values: r.values as Record<string, unknown>, positionals: r.positionals };
}

// ---------------------------------------------------------------------------------------------------------
// tcf / gpp

async function tcfCommand(rest: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values, positionals } = args(rest, { json: { type: 'boolean' } }, 2);
  if (positionals[0] !== 'decode') throw new UsageError(`unknown tcf subcommand ${JSON.stringify(positionals[0])}`);
  const tc = decodeTcString(positionals[1]!);
  io.stdout(values.json ? `${JSON.stringify(plain(tc), null, 2)}\n` : describe(tc));
  return 0;
}

async function gppCommand(rest: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values, positionals } = args(rest, { json: { type: 'boolean' }, sid: { type: 'string' } }, 2);
  if (positionals[0] !== 'decode') throw new UsageError(`unknown gpp subcommand ${JSON.stringify(positionals[0])}`);
  const gpp = decodeGpp(positionals[1]!, values.sid === undefined ? {} : { applicableSections: values.sid as string });
  // What the applicable sections let a downstream party do (sale, sharing = targeted advertising, GPC, unread
  // sections), by the library's own reading of the US specifications.
  const decoded = { ...gpp, optOuts: gppOptOuts(gpp) };
  io.stdout(values.json ? `${JSON.stringify(plain(decoded), null, 2)}\n` : describe(decoded));
  return 0;
}

/** A decoded value as plain JSON: id sets as sorted id lists, dates (epoch ms fields named …At / created) as ISO. */
function plain(value: unknown, key = ''): unknown {
  if (value instanceof IdSet) return value.toArray();
  if (typeof value === 'number' && /(created|lastUpdated|At)$/.test(key) && Number.isFinite(value)) return new Date(value).toISOString();
  if (Array.isArray(value)) return value.map((v) => plain(v));
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v, String(k))]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = plain(v, k);
    return out;
  }
  return value;
}

/** Ids as compact ranges: `1-5,8,10-12`. */
export function idRanges(ids: ReadonlyArray<number>): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    out.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j;
  }
  return out.length === 0 ? '—' : out.join(',');
}

/** Aligned `key  value` lines of a decoded structure; nested objects and lists of records indented, id sets as ranges. */
function describe(value: unknown): string {
  const lines: string[] = [];
  const walk = (v: unknown, indent: string): void => {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function');
    const width = Math.max(0, ...entries.map(([k]) => k.length));
    for (const [k, x] of entries) {
      const label = `${indent}${k.padEnd(width)}  `;
      if (x instanceof IdSet) lines.push(`${label}${idRanges(x.toArray())}`);
      // A plain list of numbers is values (usnat's sensitiveDataProcessing: 0,1,2 per category), not ids: written
      // out, never as ranges (`0-2` would read as ids 0 to 2).
      else if (Array.isArray(x) && x.every((n) => typeof n === 'number')) lines.push(`${label}${x.length === 0 ? '—' : x.join(',')}`);
      else if (Array.isArray(x) && x.every((o) => o !== null && typeof o === 'object' && !Array.isArray(o) && !(o instanceof IdSet))) {
        // A list of records (GPP sections, publisher restrictions): each one's fields aligned under `key[i]`.
        x.forEach((o, j) => {
          lines.push(`${indent}${k}[${j}]`);
          walk(o, `${indent}  `);
        });
      }
      else if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
        lines.push(`${indent}${k}`);
        walk(x instanceof Map ? Object.fromEntries(x) : x, `${indent}  `);
      } else {
        const p = plain(x, k);
        lines.push(`${label}${typeof p === 'string' ? p : JSON.stringify(p)}`);
      }
    }
  };
  walk(value, '');
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// check

const KINDS = ['caps', 'segments', 'catalogue', 'decide', 'journey', 'experiment', 'consent-policy', 'identity-rules', 'attribution'] as const;
type Kind = (typeof KINDS)[number];

/** The kind of a config from its shape (or its `kind` field), or `undefined` when it is not clear. */
export function inferKind(config: unknown): Kind | undefined {
  if (Array.isArray(config)) return 'segments';
  if (config === null || typeof config !== 'object') return undefined;
  const c = config as Record<string, unknown>;
  if (typeof c.kind === 'string' && (KINDS as readonly string[]).includes(c.kind)) return c.kind as Kind;
  if ('catalogue' in c) return 'decide';
  if ('steps' in c && 'start' in c) return 'journey';
  if ('variants' in c) return 'experiment';
  if ('offers' in c) return 'catalogue';
  if ('rules' in c) return 'caps';
  if ('models' in c) return 'attribution';
  return undefined;
}

/** Each kind's parser: the module's own, so the CLI reports exactly the errors the library raises at run time. */
const VALIDATORS: Record<Kind, (config: unknown) => unknown> = {
  caps: (c) => parseCapRules(c as CapRuleSetInput),
  segments: (c) => compileSegments(parseSegments(c as ReadonlyArray<SegmentDefinitionInput>)),
  catalogue: (c) => parseCatalogue(c as CatalogueInput),
  decide: (c) => parseDecideConfig(c as DecideConfigInput),
  journey: (c) => parseJourney(c as never),
  experiment: (c) => parseExperiment(c as never),
  'consent-policy': (c) => parseConsentPolicy(c as ConsentPolicyInput),
  'identity-rules': (c) => parseIdentityRules(c as IdentityRulesInput),
  attribution: (c) => parseAttributionConfig(c as AttributionConfigInput),
};

type CheckError = { code: string; path: string; message: string };

/** The errors of one validation run: every issue the schema reported, each with its path (the error itself carries the first). */
function errorsOf(run: () => unknown): CheckError[] {
  try {
    run();
    return [];
  } catch (e) {
    if (!isCrossChannelError(e)) throw e;
    const issues = (e.detail as { issues?: Array<{ path?: string; message?: string }> } | undefined)?.issues;
    if (Array.isArray(issues) && issues.length > 0) return issues.map((i) => ({ code: e.code, path: String(i.path ?? ''), message: String(i.message ?? e.message) }));
    return [{ code: e.code, path: e.path ?? '', message: e.message }];
  }
}

/** Codes that only the whole segment set can raise (a reference to another segment), not one definition alone. */
const CROSS_SEGMENT = new Set(['SEGMENT_REFERENCE_UNKNOWN', 'SEGMENT_REFERENCE_CYCLE']);

/** A rule every segment set accepts: it stands in for a definition already reported, so later errors show. */
const PLACEHOLDER_RULE = { and: [] };

/** How many times a segment set is validated again after a set-wide error (duplicate id, unknown reference, cycle). */
const MAX_SET_PASSES = 100;

/**
 * Every error of a configuration. The library's parsers stop at their first error; a segment set is also checked
 * definition by definition (each alone, paths moved to its index), then as a whole again with each definition
 * already reported replaced by a valid stand-in of the same id, so the errors of every segment are listed.
 */
function checkErrors(kind: Kind, body: unknown): CheckError[] {
  const whole = errorsOf(() => VALIDATORS[kind](body));
  if (whole.length === 0 || kind !== 'segments' || !Array.isArray(body)) return whole;
  const errors: Array<CheckError & { index: number }> = [];
  const seen = new Set<string>();
  const add = (er: CheckError, index: number): void => {
    const key = `${er.code}\u0000${er.path}\u0000${er.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    errors.push({ ...er, index });
  };
  const indexOf = (path: string): number => Number(/^\[(\d+)\]/.exec(path)?.[1] ?? -1);
  const alone = (definition: unknown): CheckError[] => errorsOf(() => parseSegments([definition] as never)).filter((er) => !CROSS_SEGMENT.has(er.code));
  const definitions: unknown[] = [...body];
  // A definition is stood in for by one with its own id (references to it still resolve), then, if that id is
  // itself at fault (a duplicate), by one with an id of its own.
  const replaced = new Map<number, 1 | 2>();
  const standIn = (index: number): void => {
    const id = (body[index] as { id?: unknown } | null)?.id;
    const own = typeof id === 'string' && !replaced.has(index) ? { id, rule: PLACEHOLDER_RULE } : undefined;
    const first = own !== undefined && alone(own).length === 0;
    definitions[index] = first ? own : { id: `__check_placeholder_${index}__`, rule: PLACEHOLDER_RULE };
    replaced.set(index, first ? 1 : 2);
  };
  body.forEach((definition, index) => {
    const own = alone(definition);
    for (const er of own) {
      const path = er.path.startsWith('[0]') ? `[${index}]${er.path.slice(3)}` : er.path;
      add({ code: er.code, path, message: er.message.replace(/ at \[0\]/, ` at [${index}]`) }, index);
    }
    if (own.length > 0) standIn(index);
  });
  for (const er of whole) add(er, indexOf(er.path));
  let set = replaced.size > 0 ? errorsOf(() => VALIDATORS.segments(definitions)) : whole;
  for (let pass = 0; pass < MAX_SET_PASSES && set.length > 0; pass++) {
    for (const er of set) add(er, indexOf(er.path));
    const index = indexOf(set[0]!.path);
    if (index < 0 || index >= body.length || replaced.get(index) === 2) break;
    standIn(index);
    set = errorsOf(() => VALIDATORS.segments(definitions));
  }
  // In definition order (a stable sort keeps each definition's own order); errors of the whole set first.
  return errors.sort((a, b) => a.index - b.index).map(({ index: _i, ...er }) => er);
}

/** Text without a UTF-8 byte order mark at its start (editors on Windows write one). */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

async function checkCommand(rest: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values, positionals } = args(rest, { kind: { type: 'string' }, json: { type: 'boolean' } }, 1);
  const file = positionals[0]!;
  const asked = values.kind as string | undefined;
  if (asked !== undefined && !(KINDS as readonly string[]).includes(asked)) throw new UsageError(`unknown kind ${JSON.stringify(asked)} (one of ${KINDS.join(', ')})`);
  const report = (kind: Kind | null, errors: CheckError[]): number => {
    if (values.json) io.stdout(`${JSON.stringify({ file, kind, valid: errors.length === 0, errors })}\n`);
    else if (errors.length === 0) io.stdout(`${file}: valid ${kind} configuration\n`);
    else {
      io.stderr(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'} in the ${kind ?? 'configuration'}${kind === null ? '' : ' configuration'}\n`);
      for (const er of errors) io.stderr(`  ${er.path || '(root)'}: ${er.message} [${er.code}]\n`);
    }
    return errors.length === 0 ? 0 : 1;
  };
  let text: string;
  try {
    text = await readInput(io, file);
  } catch (e) {
    // Bytes that are not UTF-8 are not JSON either (RFC 8259 §8.1): with --json, a report like a file that does not parse.
    if (!values.json || !isCrossChannelError(e)) throw e;
    return report((asked as Kind | undefined) ?? null, [{ code: e.code, path: '', message: e.message }]);
  }
  let config: unknown;
  try {
    config = JSON.parse(withoutBom(text));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (values.json) return report((asked as Kind | undefined) ?? null, [{ code: 'CONFIG_INVALID', path: '', message: `not JSON: ${message}` }]);
    io.stderr(`${file}: not JSON: ${message}\n`);
    return 1;
  }
  // A top-level "kind" (no configuration has a field of that name) names the kind; it is removed before
  // validation. An unknown one, or one that contradicts --kind, is an error of the file.
  let body = config;
  let tagged: Kind | undefined;
  if (config !== null && typeof config === 'object' && !Array.isArray(config) && Object.hasOwn(config, 'kind')) {
    const { kind: tag, ...restConfig } = config as Record<string, unknown>;
    body = restConfig;
    if (typeof tag !== 'string' || !(KINDS as readonly string[]).includes(tag)) {
      return report((asked as Kind | undefined) ?? null, [{ code: 'CONFIG_INVALID', path: 'kind', message: `unknown kind ${JSON.stringify(tag)} (one of ${KINDS.join(', ')})` }]);
    }
    tagged = tag as Kind;
    if (asked !== undefined && asked !== tagged) {
      return report(asked as Kind, [{ code: 'CONFIG_INVALID', path: 'kind', message: `the file says kind ${JSON.stringify(tagged)}, --kind says ${JSON.stringify(asked)}` }]);
    }
  }
  const kind = (asked as Kind | undefined) ?? tagged ?? inferKind(config);
  if (kind === undefined) throw new UsageError(`cannot tell what ${file} configures: pass --kind (${KINDS.join(', ')})`);
  return report(kind, checkErrors(kind, body));
}

// ---------------------------------------------------------------------------------------------------------
// segments eval

/** The objects of a JSON-lines file, each with its line number (1-based; blank lines are skipped, a byte order mark at the start ignored). */
function jsonLines(text: string, file: string): Array<[line: number, value: Record<string, unknown>]> {
  const out: Array<[number, Record<string, unknown>]> = [];
  withoutBom(text).split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw inputError(`${file} line ${i + 1} is not JSON (${e instanceof Error ? e.message : safeText(e)})`, [file, i + 1]);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw inputError(`${file} line ${i + 1} is not a JSON object`, [file, i + 1]);
    out.push([i + 1, v as Record<string, unknown>]);
  });
  return out;
}

function progressLine(io: CliIo, label: string): ((n: number) => void) | undefined {
  if (!io.isTTY) return undefined;
  return (n) => io.stderr(`\r${label}: ${n.toLocaleString('en-US')}`);
}

async function segmentsCommand(rest: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values, positionals } = args(rest, { rules: { type: 'string' }, profiles: { type: 'string' }, events: { type: 'string' }, now: { type: 'string' }, json: { type: 'boolean' } }, 1);
  if (positionals[0] !== 'eval') throw new UsageError(`unknown segments subcommand ${JSON.stringify(positionals[0])}`);
  if (typeof values.rules !== 'string' || typeof values.profiles !== 'string') throw new UsageError('segments eval needs --rules and --profiles');
  const rulesFile = values.rules;
  const profilesFile = values.profiles;
  const segments = compileSegments(jsonFile(await readInput(io, rulesFile), rulesFile) as never);
  const now = values.now === undefined ? io.now() : toEpochMs(values.now, ['--now']);
  const people = jsonLines(await readInput(io, profilesFile), profilesFile);
  const eventsFile = values.events;
  // Each event is checked as the library's behaviour events are, at its file and line.
  const events = typeof eventsFile === 'string' ? jsonLines(await readInput(io, eventsFile), eventsFile).map(([line, e]) => parseWith(behaviourEventSchema, e, 'INPUT_INVALID', [eventsFile, line])) : [];
  const bySubject = new Map<string, BehaviourEvent[]>();
  for (const e of events) (bySubject.get(e.subjectId) ?? bySubject.set(e.subjectId, []).get(e.subjectId)!).push(e);
  const lineOf = new Map<string, number>();
  const subjects = people.map(([line, p]) => {
    if (typeof p.id !== 'string') throw inputError(`${profilesFile} line ${line}: "id" must be a string`, [profilesFile, line, 'id']);
    const first = lineOf.get(p.id);
    if (first !== undefined) throw inputError(`${profilesFile} line ${line}: profile ${JSON.stringify(p.id)} is also on line ${first}`, [profilesFile, line, 'id']);
    lineOf.set(p.id, line);
    const { id, ...profile } = p;
    return { id, profile, events: sortByAt(bySubject.get(id) ?? []) };
  });
  const onProgress = values.json ? undefined : progressLine(io, 'profiles');
  const result = await evaluateBatch(segments, subjects, now, { collectMembers: true, ...(onProgress ? { onProgress, progressEvery: 10_000 } : {}) });
  if (onProgress) io.stderr('\n');
  if (values.json) {
    const of = new Map<string, string[]>();
    for (const [seg, members] of Object.entries(result.members)) for (const m of members) (of.get(m) ?? of.set(m, []).get(m)!).push(seg);
    for (const s of subjects) io.stdout(`${JSON.stringify({ id: s.id, segments: of.get(s.id) ?? [] })}\n`);
  } else {
    const width = Math.max(7, ...Object.keys(result.counts).map((k) => k.length));
    io.stdout(`${'segment'.padEnd(width)}  ${'members'.padStart(9)}\n`);
    for (const [seg, n] of Object.entries(result.counts)) io.stdout(`${seg.padEnd(width)}  ${n.toLocaleString('en-US').padStart(9)}\n`);
    io.stdout(`${result.processed.toLocaleString('en-US')} people evaluated\n`);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// attribution

/**
 * A time cell: epoch milliseconds (an optional minus sign and digits: an integer within ±8.64e15, as
 * `toEpochMs` accepts) or ISO 8601 with an offset; anything else is `TIME_INVALID` at `path`.
 */
function timeOf(v: string | undefined, path: Array<string | number>): number {
  if (v === undefined || v === '') throw inputError('missing time', path);
  if (!/^-?\d+$/.test(v)) return toEpochMs(v, path);
  const ms = Number(v);
  // Beyond ±8.64e15 (and so every digit string beyond 2^53, which Number would round): not an instant.
  if (!(Math.abs(ms) <= MAX_EPOCH_MS)) throw new CrossChannelError('TIME_INVALID', `Epoch milliseconds out of range (at most ±8.64e15): ${quoted(v)}`, { path, detail: { value: v } });
  return toEpochMs(ms === 0 ? 0 : ms, path);
}

/** A decimal number: digits with an optional sign, fraction and exponent; no space, hex, binary, Infinity or NaN. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The `value` cell of a conversion: empty (or no such column) is 1; otherwise a finite decimal number as written. */
function valueOf(v: string | undefined, path: Array<string | number>): number {
  if (v === undefined || v === '') return 1;
  const n = DECIMAL.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw inputError(`value must be a finite decimal number (or empty for 1), got ${quoted(v)}`, path, { value: v });
  return n;
}

/**
 * Runs `build` over rows read from CSV files; an error the library raises at a row's index
 * (`touchpoints[1].channel`) is raised again at that row's file and line, with its code and message.
 */
function atSourceRows<T>(sources: Record<string, { file: string; rows: ReadonlyArray<CsvRow> }>, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!isCrossChannelError(e)) throw e;
    const [name, index, ...rest] = e.pathSegments;
    const source = typeof name === 'string' && Object.hasOwn(sources, name) ? sources[name] : undefined;
    const row = source !== undefined && typeof index === 'number' ? source.rows[index] : undefined;
    if (source === undefined || row === undefined) throw e;
    throw new CrossChannelError(e.code, e.message, { path: [source.file, row.line, ...rest], cause: e, detail: e.detail });
  }
}

async function attributionCommand(rest: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const { values } = args(
    rest,
    { touchpoints: { type: 'string' }, conversions: { type: 'string' }, model: { type: 'string', multiple: true }, lookback: { type: 'string' }, json: { type: 'boolean' }, html: { type: 'string' } },
    0,
  );
  if (typeof values.touchpoints !== 'string' || typeof values.conversions !== 'string') throw new UsageError('attribution needs --touchpoints and --conversions');
  if (values.json && values.html !== undefined) throw new UsageError('--json and --html are exclusive');
  const tFile = values.touchpoints;
  const cFile = values.conversions;
  // The page would replace an input it was read from (the same name up to `./` steps and doubled slashes; links and
  // `..` are not resolved).
  const bare = (f: string): string => f.replace(/\/+/g, '/').replace(/(^|\/)(\.\/)+/g, '$1');
  if (typeof values.html === 'string' && [tFile, cFile].some((f) => bare(f) === bare(values.html as string))) throw new UsageError(`--html ${values.html} would overwrite an input file`);
  const tRows = readCsvTable(await readInput(io, tFile), tFile, ['subjectId', 'channel', 'at']);
  const cRows = readCsvTable(await readInput(io, cFile), cFile, ['subjectId', 'at']);
  const touchpoints: TouchpointRow[] = tRows.map(({ line, values: r }) => ({ subjectId: need(r, 'subjectId', tFile, line), channel: need(r, 'channel', tFile, line), at: timeOf(r.at, [tFile, line, 'at']) }));
  const conversions: ConversionRow[] = cRows.map(({ line, values: r }) => ({
    subjectId: need(r, 'subjectId', cFile, line),
    at: timeOf(r.at, [cFile, line, 'at']),
    value: valueOf(r.value, [cFile, line, 'value']),
  }));
  const sources = { touchpoints: { file: tFile, rows: tRows }, conversions: { file: cFile, rows: cRows } };
  const journeys = atSourceRows(sources, () => buildJourneys(touchpoints, conversions, values.lookback === undefined ? {} : { lookback: values.lookback as string }));
  const models = values.model as string[] | undefined;
  const onProgress = values.json ? undefined : progressLine(io, 'journeys');
  const comparison = compareModels(journeys, models === undefined ? {} : { models: models as never }, onProgress ? { onProgress, progressEvery: 10_000 } : undefined);
  if (onProgress) io.stderr('\n');
  if (values.json) io.stdout(`${JSON.stringify(comparison)}\n`);
  else if (typeof values.html === 'string') {
    const page = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Attribution</title><style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:72rem}pre{font-variant-numeric:tabular-nums;overflow-x:auto}</style></head><body>\n<h1>Attribution</h1>\n${renderAttributionSvg(comparison)}\n<pre>${escapeHtml(formatAttributionTable(comparison))}</pre>\n</body></html>\n`;
    await writeOutput(io, values.html, page);
    io.stdout(`wrote ${values.html} (${journeys.length.toLocaleString('en-US')} journeys, ${comparison.models.length} models)\n`);
  } else io.stdout(`${formatAttributionTable(comparison)}\n`);
  return 0;
}

function need(row: Record<string, string>, column: string, file: string, line: number): string {
  const v = row[column];
  if (v === undefined || v === '') throw inputError(`${file} line ${line}: column "${column}" is missing or empty`, [file, line, column]);
  return v;
}

/** Text for the page: markup escaped, and what HTML calls a parse error — controls but tab and line breaks, noncharacters, lone surrogates — as U+FFFD. */
function escapeHtml(s: string): string {
  return s.replace(/(?![\t\n\f\r])[\p{Cc}\p{Cs}\p{NChar}]/gu, '\ufffd').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

// ---------------------------------------------------------------------------------------------------------
// demo

async function demoCommand(rest: ReadonlyArray<string>, io: CliIo): Promise<number> {
  args(rest, {}, 0);
  const config = parseDecideConfig({
    catalogue: { timeZone: 'Europe/Paris', offers: [{ id: 'welcome-10', channels: ['email', 'web'], value: 10, tags: ['marketing'] }, { id: 'newsletter', channels: ['email', 'web'], value: 2, tags: ['marketing'] }] },
    caps: { timeZone: 'Europe/Paris', rules: [{ id: 'marketing-week', kind: 'limit', limit: 2, window: 'week', scope: { tags: 'marketing' } }] },
    consent: { purpose: 'marketing', ledgerChannels: ['email'] },
    timeZone: 'Europe/Paris',
  });
  const stores = {
    identity: new MemoryIdentityStore({ erasureSalt: 'demo' }),
    consent: new MemoryConsentStore({ erasureSalt: 'demo' }),
    contacts: new MemoryContactHistoryStore(),
    events: new MemoryEventStore(),
    offerCapacity: new MemoryOfferCapacityStore(),
  };
  const t0 = Date.UTC(2026, 2, 9, 9);
  const who = [{ type: 'email', value: 'ada@example.com' }];
  await stores.identity.addObservations([{ identifiers: who, at: t0 - 60_000 }]);
  const subjectId = (await stores.identity.lookup(who[0]!))!;
  await stores.consent.append({ id: 'c1', subjectId, channel: 'email', purpose: 'marketing', kind: 'granted', at: t0 - 60_000, evidence: { source: 'signup-form' } });
  io.stdout('crosschannel demo: three email decisions for one person, a weekly marketing cap of two\n\n');
  for (let i = 0; i < 3; i++) {
    const r = await decide({ requestId: `demo-${i}`, identifiers: who, channel: 'email', now: t0 + i * 3_600_000 }, stores, config);
    io.stdout(`#${i + 1}: ${r.offers.length > 0 ? `send ${r.offers.map((o) => o.offerId).join(', ')}` : `no contact (${r.reasons.map((x) => x.code).join(', ')})`}\n`);
    io.stdout(`${formatTrace(r.trace)}\n`);
  }
  return 0;
}
