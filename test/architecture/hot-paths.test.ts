/**
 * `decide`'s pipeline function (`run` in src/decide/pipeline.ts), and the other async functions every decision
 * runs through, contain no loop; the stages' loops live in plain helper functions. V8 compiles an
 * on-stack-replacement entry for a loop into the function that holds it, and for `run` (large, async, re-entered
 * at every await) that entry was reused after it stopped matching the types it was compiled for: from then on
 * every decision deoptimised at it, a third slower, in about one run in eight of the decide bench script. See
 * docs/decide.md ("Runs a third slower").
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Loops in the body of the top-level function `name`, or of the method `Class.method`, as `line: kind` (not in
 * functions nested in it). An array literal with a spread after its first element, and an array pattern with a
 * rest element, count: V8 compiles them to a loop too.
 */
function loopsIn(source: string, name: string): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.ES2022, true);
  const [owner, method] = name.includes('.') ? name.split('.') : [null, name];
  const fn =
    owner === null
      ? file.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name)
      : file.statements
          .find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === owner)
          ?.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === method);
  if (!fn?.body) throw new Error(`no function ${name}`);
  const found: string[] = [];
  const at = (n: ts.Node, kind: string): void => {
    found.push(`${file.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${kind}`);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isIterationStatement(n, false)) at(n, ts.SyntaxKind[n.kind]);
    else if (ts.isArrayLiteralExpression(n) && n.elements.some((e, i) => i > 0 && ts.isSpreadElement(e))) at(n, 'array spread after the first element');
    else if (ts.isArrayBindingPattern(n) && n.elements.some((e) => ts.isBindingElement(e) && e.dotDotDotToken)) at(n, 'array rest pattern');
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return found;
}

describe('hot paths V8 can compile whole', () => {
  // The async functions every decision runs through (the stage helpers with loops are plain functions).
  it.each([
    ['src/decide/pipeline.ts', 'decide'],
    ['src/decide/pipeline.ts', 'run'],
    ['src/decide/identify.ts', 'resolveSubject'],
    ['src/decide/load.ts', 'loadState'],
    ['src/decide/reserve.ts', 'reserveOne'],
    ['src/adapters/memory/contact-history.ts', 'MemoryContactHistoryStore.reserve'],
    ['src/adapters/redis/contact-history.ts', 'RedisContactHistoryStore.reserve'],
  ])('%s: %s has no loop', (file, name) => {
    expect(loopsIn(readFileSync(file, 'utf8'), name)).toEqual([]);
  });

  it('the check finds each kind of loop, and ignores nested functions', () => {
    const source = `async function run(a: number[], b: number[]) {
      for (const x of a) void x;
      while (a.length) a.pop();
      const c = [...a, ...b];
      const [h, ...t] = c;
      const first = [...a];
      const f = () => { for (;;) break; };
      return [h, t, first, f];
    }`;
    expect(loopsIn(source, 'run')).toEqual(['2: ForOfStatement', '3: WhileStatement', '4: array spread after the first element', '5: array rest pattern']);
    expect(loopsIn('class S { x() { return 1; } async reserve(a: number[]) { for (const v of a) void v; } }', 'S.reserve')).toEqual(['1: ForOfStatement']);
    expect(() => loopsIn('class S {}', 'S.reserve')).toThrow('no function S.reserve');
  });
});
