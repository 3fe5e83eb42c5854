import { CrossChannelError } from '../../core/errors.js';

interface Item {
  readonly keys: ReadonlyArray<string>;
  readonly args: ReadonlyArray<string | number>;
  readonly resolve: (r: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Calls of one batched script queued until the pending microtasks have run, then sent `size` per call (no timer,
 * so a host's fake timers cannot hold them back). Each item brings its keys and arguments; the script answers one
 * value per item, in order. A call that fails (a key of the wrong type, a lost connection) rejects every item in
 * it; the items before the failing one were written, so their callers see a failure for a write that landed (a
 * retry with the same idempotency key then finds it).
 * Internal to the Redis stores (not exported by the package).
 */
export class ScriptBatch {
  #pending: Item[] = [];
  /** Halving mode: whether a call already went during the current turn. */
  #sentThisTurn = false;

  /**
   * @param send runs the script on a chunk's keys and arguments, concatenated in item order
   * @param size items per script call: bounds how long one call holds the server; a full chunk is sent at once,
   *   so the server works on it while the next fills
   * @param malformed the error every item of a chunk gets when the script's answer is not one value per item
   * @param halve a turn's items never go as one call: `size` go once `2 × size` are queued, and what is left at
   *   the end of a turn goes in two calls when nothing went before it. The server then runs one call while the
   *   client builds or reads another, where one call per turn has the two take turns
   * @param one sends a chunk of one item (the item's own keys and arguments), when a script for one item costs
   *   the server less than the batched script does for one; its answer is the item's
   */
  constructor(
    private readonly send: (keys: Array<string>, args: Array<string | number>) => Promise<unknown>,
    private readonly size: number,
    private readonly malformed: (message: string) => unknown,
    private readonly halve = false,
    private readonly one: ((keys: ReadonlyArray<string>, args: ReadonlyArray<string | number>) => Promise<unknown>) | null = null,
  ) {}

  add(keys: ReadonlyArray<string>, args: ReadonlyArray<string | number>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const n = this.#pending.push({ keys, args, resolve, reject });
      if (!this.halve) {
        // A full batch goes at once (the server starts on it while the caller queues the next); the rest when the
        // pending microtasks have run.
        if (n >= this.size) this.#sendAll(this.size);
        else if (n === 1) queueMicrotask(() => this.#sendAll(this.size));
        return;
      }
      if (n === 1) {
        this.#sentThisTurn = false;
        queueMicrotask(() => this.#endOfTurn());
      } else if (n >= 2 * this.size) {
        // Keep `size` back, so the end of the turn never sends the turn's only call.
        this.#send(this.#pending.splice(0, this.size));
        this.#sentThisTurn = true;
      }
    });
  }

  /** Halving mode: what the turn left, after a call already went, in calls of `size`; else in two calls. */
  #endOfTurn(): void {
    const n = this.#pending.length;
    this.#sendAll(this.#sentThisTurn || n < 2 ? this.size : Math.ceil(n / 2));
  }

  #sendAll(size: number): void {
    const all = this.#pending;
    this.#pending = [];
    // Every chunk is sent at once (ioredis writes them back to back; the server runs them in order).
    for (let i = 0; i < all.length; i += size) this.#send(all.slice(i, i + size));
  }

  #send(chunk: ReadonlyArray<Item>): void {
    if (chunk.length === 1 && this.one !== null) {
      const c = chunk[0]!;
      this.one(c.keys, c.args).then(c.resolve, c.reject);
      return;
    }
    const keys: string[] = [];
    const args: Array<string | number> = [];
    for (const c of chunk) {
      for (const k of c.keys) keys.push(k);
      for (const a of c.args) args.push(a);
    }
    this.send(keys, args).then(
      (answers) => {
        if (Array.isArray(answers) && answers.length === chunk.length) chunk.forEach((c, i) => c.resolve(answers[i]));
        else {
          const e = this.malformed(`a batched script answered ${Array.isArray(answers) ? `${answers.length} items for ${chunk.length}` : typeof answers}`);
          for (const c of chunk) c.reject(e);
        }
      },
      (e: unknown) => {
        for (const c of chunk) c.reject(e);
      },
    );
  }
}

/**
 * A Redis store's `batching` option: on by default for a standalone client, off for a Cluster (where a script may
 * only touch one hash tag, so batching there is refused). Throws `CONFIG_INVALID` at `batching`.
 */
export function batchingOption(redis: unknown, options: { readonly batching?: unknown }): boolean {
  const cluster = (redis as { isCluster?: unknown } | null)?.isCluster === true;
  const batching = options.batching ?? !cluster;
  if (typeof batching !== 'boolean') throw new CrossChannelError('CONFIG_INVALID', 'batching must be a boolean', { path: ['batching'] });
  if (batching && cluster) throw new CrossChannelError('CONFIG_INVALID', 'batching needs a standalone Redis: on a Cluster a script may only touch one hash tag', { path: ['batching'] });
  return batching;
}
