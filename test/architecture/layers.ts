/**
 * The layering of `src/` as data, and the checks over it (used by layers.test.ts and described in
 * docs/architecture.md). Arrows point down only:
 *
 *   core  ←  pure modules  ←  timing, insights  ←  decide  ←  journeys  ←  adapters, testing, the root entry
 *
 * A pure module imports core and nothing else of ours; it never imports an adapter. A directory of `src/` not
 * named here is taken to be a pure module, so a new module is held to the strictest rule until it is listed.
 */
import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Modules that import core only. */
export const PURE_MODULES = ['identity', 'consent', 'capping', 'segments', 'arbitration', 'attribution', 'experiments'] as const;

const PURE: readonly string[] = ['core', ...PURE_MODULES];

/**
 * Which layers each layer may import (besides itself). A layer is `core`, a module directory, `adapters/<x>`,
 * `testing` or `root` (src/index.ts). Adapters implement the modules' store interfaces; they never import one
 * another, nor the testing kit — only the argument checks they share (src/adapters/store-input.ts).
 */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  core: [],
  ...Object.fromEntries(PURE_MODULES.map((m) => [m, ['core']])),
  timing: PURE,
  insights: [...PURE, 'timing'],
  decide: [...PURE, 'timing', 'insights'],
  journeys: [...PURE, 'timing', 'insights', 'decide'],
  testing: [...PURE, 'timing', 'insights', 'decide', 'journeys'],
  // The argument checks every store of an interface shares (one code and path for each refusal on every engine).
  'adapters/store-input.ts': PURE,
  'adapters/memory': [...PURE, 'timing', 'insights', 'decide', 'journeys', 'adapters/store-input.ts'],
  'adapters/redis': [...PURE, 'timing', 'insights', 'decide', 'journeys', 'adapters/store-input.ts'],
  'adapters/postgres': [...PURE, 'timing', 'insights', 'decide', 'journeys', 'adapters/store-input.ts'],
  // The OpenTelemetry adapter implements decide's telemetry port.
  'adapters/otel': ['core', 'decide', 'journeys'],
  root: [...PURE, 'timing', 'insights', 'decide', 'journeys'],
  // The command line sits on top of everything, with the in-process stores for its demo.
  cli: [...PURE, 'timing', 'insights', 'decide', 'journeys', 'adapters/memory'],
};

/** npm packages a layer may import at run time; anything else (node:*, ioredis, pg, vitest) is an edge. */
const RUNTIME = ['zod', 'lru-cache'];
export const MAY_IMPORT_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  // identity imports no package of its own: the optional phone peer libphonenumber-js is found at run time by
  // src/identity/phone-lib.ts (Node's require, no import) or passed in; a typed error when it is neither.
  identity: RUNTIME,
  'adapters/redis': [...RUNTIME, 'ioredis'],
  'adapters/postgres': [...RUNTIME, 'pg'],
  testing: [...RUNTIME, 'vitest'],
  // experiments' distributions (normal, t, chi-square) are src/core/special.ts since jStat (18 kB of its 42 kB
  // entry, and inaccurate in the tails) was dropped for the 25 kB budget; jStat and stdlib remain the tests' oracles.
  experiments: RUNTIME,
  // The command line reads files and arguments (node:fs, node:util): it is not part of any browser entry.
  cli: [...RUNTIME, 'node:util', 'node:fs'],
};

/** The layer of a path relative to the project root, e.g. `src/capping/evaluate.ts` → `capping`. */
export function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 2) return 'root';
  if (parts[1] === 'adapters') return `adapters/${parts[2]}`;
  return parts[1]!;
}

/** One import edge of a shipped source file. */
export interface ImportEdge {
  readonly from: string;
  /** A project path (`src/core/time.ts`) for a relative import, else the bare package name. */
  readonly to: string;
  readonly relative: boolean;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every shipped (non-test) TypeScript file under `dir`, as project-relative paths with `/`. */
export function sourceFiles(root: string, dir = 'src'): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(join(root, d))) {
      const p = `${d}/${name}`;
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Module specifiers of a file, from its syntax tree (so an `import` inside a TSDoc example is not one). */
function moduleSpecifiers(file: string, text: string): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false));
  return out;
}

/** Import edges of the given files (static, `export … from`, `import type`, and `import()` expressions). */
export function importEdges(root: string, files: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of files) {
    for (const spec of moduleSpecifiers(file, readFileSync(join(root, file), 'utf8'))) {
      if (!spec.startsWith('.')) {
        edges.push({ from: file, to: packageName(spec), relative: false });
        continue;
      }
      let to = relative(root, resolve(root, dirname(file), spec)).split(sep).join('/');
      to = to.endsWith('.js') ? `${to.slice(0, -3)}.ts` : to.endsWith('.ts') ? to : `${to}/index.ts`;
      edges.push({ from: file, to, relative: true });
    }
  }
  return edges;
}

/** Edges that point up or sideways, each as a readable sentence. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    if (!e.relative) {
      const allowed = MAY_IMPORT_PACKAGES[from] ?? RUNTIME;
      if (!allowed.includes(e.to)) out.push(`${e.from} imports the package ${e.to} (${from} may import ${allowed.join(', ')})`);
      continue;
    }
    if (!e.to.startsWith('src/')) {
      out.push(`${e.from} imports ${e.to}, outside src/`);
      continue;
    }
    const to = layerOf(e.to);
    if (to === from) continue;
    const allowed = MAY_IMPORT[from] ?? ['core'];
    if (!allowed.includes(to)) out.push(`${e.from} imports ${e.to} (${from} may import ${allowed.length ? allowed.join(', ') : 'nothing else of src/'})`);
  }
  return out;
}

/** Import cycles between files (type-only imports count: they still tangle the two files' ideas). */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (!e.relative) continue;
    const list = graph.get(e.from) ?? [];
    list.push(e.to);
    graph.set(e.from, list);
  }
  // Tarjan's strongly connected components; every component of two or more files is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
