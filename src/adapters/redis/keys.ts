/**
 * Key of a subject-scoped Redis structure: `{prefix}:{<subjectId>}:<name>`. The braces make the subject id the
 * Redis Cluster hash tag, so every key of one subject lands in one slot and a Lua script may touch them all.
 *
 * @example
 * ```ts
 * subjectKey('cc', 'p-42', 'contacts'); // 'cc:{p-42}:contacts'
 * ```
 */
export function subjectKey(prefix: string, subjectId: string, name: string): string {
  // A brace inside the id would end the hash tag early; escape both braces so the tag is the whole id.
  const tag = subjectId.replace(/[{}]/g, (c) => (c === '{' ? '%7B' : '%7D'));
  return `${prefix}:{${tag}}:${name}`;
}
