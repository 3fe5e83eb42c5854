export * from './errors.js';
export * from './explain.js';
export * from './time.js';
export * from './schema.js';
export * from './records.js';
export * from './random.js';
export * from './hash.js';
export type { SqlQueryable, SqlClient } from './sql.js';
