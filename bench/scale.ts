/**
 * Scale benchmark (docs/scale.md).
 * 1. Redis Cluster: reservations/s on 1 node vs a 3-master cluster, 16 concurrent clients, and the peer
 *    rate-limiter-flexible on both (bench/scale/redis-cluster.ts).
 */
import { benchRedisCluster } from './scale/redis-cluster.js';

const only = process.env.SCALE_ONLY;
if (!only || only === 'redis') await benchRedisCluster();
