/**
 * Scale benchmark (docs/scale.md).
 * 1. Redis Cluster: reservations/s on 1 node vs a 3-master cluster, 16 concurrent clients, and the peer
 *    rate-limiter-flexible on both (bench/scale/redis-cluster.ts).
 * 2. Warehouse: 20 segments over profiles × 10 events in-process vs DuckDB SQL vs PostgreSQL (PGlite) SQL at
 *    several sizes, and identity components in DuckDB vs an in-process union-find vs graphology-components
 *    (bench/scale/warehouse.ts). Sizes: SCALE_PROFILES=10000,50000,200000, SCALE_LINKS, SCALE_PG_MAX.
 * SCALE_ONLY=redis|warehouse runs one part.
 */
import { benchRedisCluster } from './scale/redis-cluster.js';
import { benchWarehouse } from './scale/warehouse.js';

const only = process.env.SCALE_ONLY;
if (!only || only === 'redis') await benchRedisCluster();
if (!only || only === 'warehouse') await benchWarehouse();
