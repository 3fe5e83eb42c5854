/**
 * Type-checks every code example of the docs against the library, so the docs cannot drift from the API:
 * each ```ts block of README.md and docs/*.md, and each ```ts block under an `@example` tag of the TSDoc in
 * src/. `crosschannel` and `crosschannel/*` resolve to the sources (the same exports the built types carry), or
 * with `--dist` to the built declarations themselves.
 *
 * Conventions for example authors:
 * - Each block is its own module (top-level `await` works). Imports are optional: a name the block uses but
 *   does not declare is imported from the entry the block documents (`docs/consent.md` and `src/consent/**`
 *   → `crosschannel/consent`), else from the root `crosschannel`, else from whichever entry exports it.
 * - Anything else a snippet assumes must be declared, visibly: `declare const history: History;`. Examples are
 *   checked with Node's globals and no DOM, so a placeholder named `history` or `name` is not mistaken for one.
 * - A block that is deliberately not TypeScript-checkable (pseudo-code, output) uses ```text or ```ts no-check.
 *
 *   npx tsx scripts/check-doc-examples.ts          print failures, exit 1 if any
 *   npx tsx scripts/check-doc-examples.ts --json   machine-readable
 *   npx tsx scripts/check-doc-examples.ts --dist   against the built declarations (after `npm run build`)
 *   npx tsx scripts/check-doc-examples.ts --placeholders-any   undeclared names become `any`: API drift only
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { packageEntries, type PackageEntry } from './entries.js';

export interface DocExample {
  /** File the example is written in, relative to the root. */
  readonly file: string;
  /** 1-based line of the example's first code line in that file. */
  readonly line: number;
  readonly code: string;
  /** The entry the example documents (where undeclared names are looked up first). */
  readonly home: string;
}

export interface ExampleFailure {
  readonly file: string;
  /** Line in the documenting file. */
  readonly line: number;
  readonly code: number;
  readonly message: string;
}

const MODULE_DIRS = new Set(['identity', 'consent', 'capping', 'segments', 'arbitration', 'attribution', 'decide', 'journeys', 'testing']);

function homeOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'docs') {
    const name = basename(file, '.md');
    return MODULE_DIRS.has(name) ? `crosschannel/${name}` : 'crosschannel';
  }
  if (parts[0] === 'src') {
    if (parts[1] === 'adapters' && parts[2]) return `crosschannel/adapters/${parts[2]}`;
    if (parts[1] && MODULE_DIRS.has(parts[1])) return `crosschannel/${parts[1]}`;
  }
  return 'crosschannel';
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/;
const CHECKED = new Set(['ts', 'typescript', 'mts']);

/** Fenced ```ts blocks of a markdown text (lines already stripped of any comment prefix). */
function fencedBlocks(lines: readonly string[], firstLine: number): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open as unknown as [string, string, string, string, string];
    let j = i + 1;
    while (j < lines.length && !(lines[j]!.trimStart().startsWith(fence) && lines[j]!.trim().replace(/[`~]/g, '') === '')) j++;
    if (CHECKED.has(lang.toLowerCase()) && !/\bno-check\b|\bignore\b/.test(rest)) {
      const body = lines.slice(i + 1, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
      out.push({ line: firstLine + i + 1, code: body.join('\n') });
    }
    i = j;
  }
  return out;
}

/** Examples of the markdown files. */
export function markdownExamples(root: string, files: readonly string[]): DocExample[] {
  return files.flatMap((file) =>
    fencedBlocks(readFileSync(join(root, file), 'utf8').split('\n'), 1).map((b) => ({ file, line: b.line, code: b.code, home: homeOf(file) })),
  );
}

/** Examples under `@example` tags of the doc comments of a TypeScript source. */
export function tsdocExamples(root: string, file: string): DocExample[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: DocExample[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, m.index).split('\n').length;
    const lines = m[0].split('\n').map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, '').replace(/\s*\*\/$/, ''));
    let inExample = false;
    const section: string[] = [];
    let sectionStart = 0;
    const flush = (): void => {
      if (section.length > 0) for (const b of fencedBlocks(section, sectionStart)) out.push({ file, line: b.line, code: b.code, home: homeOf(file) });
      section.length = 0;
    };
    lines.forEach((l, i) => {
      const tag = /^@(\w+)/.exec(l.trim());
      if (tag) {
        flush();
        inExample = tag[1] === 'example';
        sectionStart = startLine + i + 1;
        return;
      }
      if (inExample) section.push(l);
    });
    flush();
  }
  return out;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Every example of the repository's docs. */
export function collectExamples(root = process.cwd()): DocExample[] {
  const md = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)].filter((f) => existsSync(join(root, f)));
  const sources = walk(join(root, 'src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => relative(root, f).split(sep).join('/'))
    .sort();
  return [...markdownExamples(root, md), ...sources.flatMap((f) => tsdocExamples(root, f))];
}

/** Where `crosschannel/*` resolves: the sources, or the built declarations (`dist/`, after `npm run build`). */
export type ExampleTarget = 'src' | 'dist';

function compilerOptions(root: string, target: ExampleTarget): ts.CompilerOptions {
  const paths: Record<string, string[]> = {};
  for (const e of packageEntries) paths[e.specifier] = [target === 'src' ? e.source : `dist/${e.key}.d.ts`];
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    baseUrl: root,
    paths,
  };
}

const VIRTUAL_DIR = '.doc-examples';
const NOT_FOUND = new Set([2304, 2552, 2582, 2591, 18004]); // "Cannot find name 'x'", its "did you mean" variants, `{ x }` shorthand

interface Virtual {
  readonly example: DocExample;
  readonly path: string;
  prefix: string;
}

function virtualText(v: Virtual): string {
  // A module on its own line so an example's own first line keeps its number after the prefix line.
  return `${v.prefix}\n${v.example.code}\nexport {};\n`;
}

function createProgram(root: string, virtuals: ReadonlyMap<string, Virtual>, options: ts.CompilerOptions, old?: ts.Program): ts.Program {
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, lang, onError, fresh) => {
    const v = virtuals.get(resolve(name));
    return v ? ts.createSourceFile(name, virtualText(v), lang, true) : getSourceFile(name, lang, onError, fresh);
  };
  host.fileExists = (name) => virtuals.has(resolve(name)) || fileExists(name);
  host.readFile = (name) => {
    const v = virtuals.get(resolve(name));
    return v ? virtualText(v) : readFile(name);
  };
  host.getCurrentDirectory = () => root;
  const roots = [...virtuals.keys(), ...packageEntries.map((e) => resolve(root, entryFile(e, options)))];
  return ts.createProgram({ rootNames: roots, options, host, ...(old ? { oldProgram: old } : {}) });
}

/** The file `crosschannel/…` of this entry resolves to under these options. */
function entryFile(e: PackageEntry, options: ts.CompilerOptions): string {
  return options.paths?.[e.specifier]?.[0] ?? e.source;
}

/** Names each entry exports (values and types), by specifier. */
function entryExports(program: ts.Program, root: string): Map<string, Set<string>> {
  const checker = program.getTypeChecker();
  const out = new Map<string, Set<string>>();
  for (const e of packageEntries) {
    const sf = program.getSourceFile(resolve(root, entryFile(e, program.getCompilerOptions())));
    const sym = sf ? checker.getSymbolAtLocation(sf) : undefined;
    // Module namespaces (`crosschannel`'s `segments`, …) are never auto-imported: a snippet's undeclared
    // `segments` is a placeholder variable, not the namespace.
    const isNamespace = (s: ts.Symbol): boolean => ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.ValueModule) !== 0;
    out.set(e.specifier, new Set(sym ? checker.getExportsOfModule(sym).filter((s) => !isNamespace(s)).map((s) => s.getName()) : []));
  }
  return out;
}

function lookupOrder(home: string): PackageEntry[] {
  const byHome = packageEntries.find((e) => e.specifier === home);
  const rootEntry = packageEntries.find((e) => e.specifier === 'crosschannel');
  const rest = packageEntries.filter((e) => e !== byHome && e !== rootEntry);
  return [byHome, rootEntry, ...rest].filter((e): e is PackageEntry => e !== undefined);
}

/** Type-checks the examples; returns one failure per TypeScript error, located in the documenting file. */
/**
 * How undeclared names are treated: `error` (the default: an example must declare what it assumes) or `any`
 * (each undeclared name becomes an `any` value and type, so only drift from the API is reported: a renamed or
 * removed export, a wrong argument, a wrong result type, a syntax error).
 */
export type PlaceholderMode = 'error' | 'any';

export function checkExamples(
  examples: readonly DocExample[],
  root = process.cwd(),
  target: ExampleTarget = 'src',
  placeholders: PlaceholderMode = 'error',
): ExampleFailure[] {
  if (target === 'dist' && !existsSync(join(root, 'dist', 'index.d.ts'))) throw new Error('No dist/index.d.ts: run `npm run build` first');
  const options = { ...compilerOptions(root, target), ...(placeholders === 'any' ? { noImplicitAny: false } : {}) };
  const virtuals = new Map<string, Virtual>();
  examples.forEach((example, i) => {
    const path = resolve(root, VIRTUAL_DIR, `${String(i).padStart(4, '0')}-${example.file.replace(/[^\w.-]+/g, '_')}-${example.line}.ts`);
    virtuals.set(path, { example, path, prefix: '' });
  });
  let program = createProgram(root, virtuals, options);
  const exportsOf = entryExports(program, root);

  // Pass 1 finds the names examples use without declaring; pass 2 checks them with those names imported.
  let changed = false;
  for (const v of virtuals.values()) {
    const sf = program.getSourceFile(v.path)!;
    const missing = new Set<string>();
    for (const d of program.getSemanticDiagnostics(sf)) {
      if (NOT_FOUND.has(d.code) && d.start !== undefined) missing.add(sf.text.slice(d.start, d.start + (d.length ?? 0)));
    }
    if (missing.size === 0) continue;
    const imports = new Map<string, string[]>();
    const unknown: string[] = [];
    for (const name of [...missing].sort()) {
      const from = lookupOrder(v.example.home).find((e) => exportsOf.get(e.specifier)?.has(name));
      if (from) imports.set(from.specifier, [...(imports.get(from.specifier) ?? []), name]);
      else unknown.push(name);
    }
    const declared = placeholders === 'any' ? unknown.map((n) => `declare const ${n}: any; type ${n} = any;`) : [];
    if (imports.size === 0 && declared.length === 0) continue;
    v.prefix = [...[...imports].map(([spec, names]) => `import { ${names.join(', ')} } from '${spec}';`), ...declared].join(' ');
    changed = true;
  }
  if (changed) program = createProgram(root, virtuals, options, program);

  const failures: ExampleFailure[] = [];
  for (const v of virtuals.values()) {
    const sf = program.getSourceFile(v.path)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    for (const d of diagnostics) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line; // 0 is the prefix line
      failures.push({
        file: v.example.file,
        line: v.example.line + Math.max(0, line - 1),
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]!,
      });
    }
  }
  return failures;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const examples = collectExamples();
  const failures = checkExamples(examples, process.cwd(), process.argv.includes('--dist') ? 'dist' : 'src', process.argv.includes('--placeholders-any') ? 'any' : 'error');
  if (process.argv.includes('--json')) console.log(JSON.stringify({ examples: examples.length, failures }, null, 2));
  else {
    for (const f of failures) console.log(`${f.file}:${f.line}  TS${f.code}  ${f.message}`);
    const files = new Set(failures.map((f) => f.file)).size;
    console.log(`\n${examples.length} examples checked, ${failures.length} errors in ${files} files`);
  }
  process.exitCode = failures.length > 0 ? 1 : 0;
}
