/**
 * The queued ids of one pass, each once, and which of them dsmc confirmed
 * gone. A Map of 100,000 id strings took a quarter of a second to build in
 * the deleter's profile (and as much again in look-ups and collections as
 * dsmc's messages came in), with the event loop, and so the removal of trash
 * files beside it, held up; here the ids stay in their own array, found
 * through a hash table of their positions outside the JS heap, and the
 * states are one byte each.
 */
import { NameHashIndex } from '../core/pool/index.js';

export class QueueIdStates {
  /** Each id once, in the order first queued. */
  private readonly ids: readonly string[];
  private readonly index: NameHashIndex;
  private readonly gone: Uint8Array;

  private constructor(ids: readonly string[], index: NameHashIndex) {
    this.ids = ids;
    this.index = index;
    this.gone = new Uint8Array(ids.length);
  }

  /**
   * The ids of `queued` (one array per queue file), each once across files.
   * One queue file (the usual pass) is taken as it is, one hash per id: an
   * id it holds twice is sent twice, as the pass always did, and found at
   * its first place.
   */
  static of(queued: ReadonlyArray<readonly string[]>): QueueIdStates {
    if (queued.length === 1) {
      const ids = queued[0] as readonly string[];
      const index = new NameHashIndex((position) => ids[position] as string);
      index.rebuild(ids.length, () => true);
      return new QueueIdStates(ids, index);
    }
    const ids: string[] = [];
    const index = new NameHashIndex((position) => ids[position] as string);
    index.reserve(queued.reduce((sum, file) => sum + file.length, 0));
    for (const file of queued) {
      for (const id of file) {
        if (index.find(id) >= 0) continue;
        ids.push(id);
        index.insert(ids.length - 1);
      }
    }
    return new QueueIdStates(ids, index);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Each id once. */
  keys(): Iterable<string> {
    return this.ids;
  }

  has(id: string): boolean {
    return this.index.find(id) >= 0;
  }

  isGone(id: string): boolean {
    const position = this.index.find(id);
    return position >= 0 && this.gone[position] === 1;
  }

  /** Marks `id` gone: `stray` when it was not queued, `again` when it was marked already. */
  markGone(id: string): 'marked' | 'again' | 'stray' {
    const position = this.index.find(id);
    if (position < 0) return 'stray';
    if (this.gone[position] === 1) return 'again';
    this.gone[position] = 1;
    return 'marked';
  }
}
