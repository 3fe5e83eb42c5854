/**
 * Module-level zod schemas tree-shake only when their construction is marked pure: a schema is a chain of
 * calls (`z.string().check(z.maxLength(9))`), which a bundler must otherwise keep in case a call has side
 * effects, so every entry carried every schema of every file it touched (core's `jsonValueSchema` and
 * `tagSchema` in `crosschannel/consent`, capping's rule schemas in timing…). Each top-level initializer that
 * builds a zod schema is therefore written as an IIFE preceded by a `@__PURE__` annotation comment, which
 * esbuild, Rollup and terser drop when unused (and esbuild inlines when minifying):
 * `export const idSchema = (() => z.string().check(z.minLength(1)))();` with the annotation before `(() =>`.
 *
 *   npx tsx scripts/pure-schemas.ts           list initializers that are not wrapped (exit 1 if any)
 *   npx tsx scripts/pure-schemas.ts --write   wrap them
 *
 * test/size/pure-schemas.test.ts keeps it that way.
 */
import ts from 'typescript';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** True when evaluating `node` at load time calls zod (code inside functions runs later and is ignored). */
function buildsZod(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isArrowFunction(n) || ts.isFunctionExpression(n)) return;
    if (ts.isCallExpression(n)) {
      let left: ts.Expression = n.expression;
      while (ts.isCallExpression(left) || ts.isPropertyAccessExpression(left)) left = left.expression;
      if (ts.isIdentifier(left) && left.text === 'z') {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Source spans of the top-level initializers of `text` that build zod schemas and are not marked pure. */
export function unwrappedSchemas(file: string, text: string): Array<{ start: number; end: number; line: number }> {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Array<{ start: number; end: number; line: number }> = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer;
      if (!init || ts.isArrowFunction(init) || ts.isFunctionExpression(init)) continue;
      if (text.slice(init.getFullStart(), init.getStart(sf)).includes('@__PURE__')) continue;
      if (!buildsZod(init)) continue;
      out.push({ start: init.getStart(sf), end: init.getEnd(), line: sf.getLineAndCharacterOfPosition(init.getStart(sf)).line + 1 });
    }
  }
  return out;
}

/** `text` with every unwrapped schema initializer wrapped in a pure IIFE. */
export function wrapSchemas(file: string, text: string): string {
  let out = text;
  for (const { start, end } of unwrappedSchemas(file, text).reverse()) {
    const body = out.slice(start, end);
    out = `${out.slice(0, start)}/* @__PURE__ */ (() => ${body.startsWith('{') ? `(${body})` : body})()${out.slice(end)}`;
  }
  return out;
}

/** The non-test TypeScript sources under `dir`. */
export function sourceFiles(dir = 'src'): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  let found = 0;
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8');
    const spans = unwrappedSchemas(file, text);
    if (spans.length === 0) continue;
    found += spans.length;
    if (process.argv.includes('--write')) {
      writeFileSync(file, wrapSchemas(file, text));
      console.log(`${file}: wrapped ${spans.length}`);
    } else for (const s of spans) console.log(`${file}:${s.line}: schema initializer not marked pure`);
  }
  if (found > 0 && !process.argv.includes('--write')) process.exitCode = 1;
}
