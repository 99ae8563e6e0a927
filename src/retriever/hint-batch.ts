import type { PlainHintMember } from '../core/hints/index.js';
import { NOT_PACKABLE, PACKED_ID_BYTES, packIdRecord } from '../core/pool/index.js';
import type { HintColumns } from './hint-columns.js';
import type { SlotStore } from './slot-store.js';
import { writeOrderKeyOfBytes } from './tape-order.js';
import type { VolumeByBytes } from './volume-bytes.js';

/** Plain members held before they go into the id table together. */
const BATCH_MEMBERS = 32;

/**
 * Plain members of a hint file being loaded (see plain-member.ts), on their
 * way into the id table and the new HintColumns: read from the bytes (id
 * packed, volume group, size, order key) and held until BATCH_MEMBERS are
 * there, then put in together, in order, after one pass that reads their
 * buckets (PackedIdTable.touchBuckets): a probe into the table of a million
 * ids was a cache miss each, the most of a 1M hint load's time. flush()
 * before anything else goes into the columns, and at the end of the load.
 */
export class HintBatch {
  private readonly keys = new Uint8Array(BATCH_MEMBERS * PACKED_ID_BYTES);
  private readonly hashes = new Uint32Array(BATCH_MEMBERS);
  private readonly volumeGroups = new Int32Array(BATCH_MEMBERS);
  private readonly sizes = new Float64Array(BATCH_MEMBERS);
  private readonly orders = new Uint32Array(BATCH_MEMBERS * 4);
  private readonly knownOrders = new Uint8Array(BATCH_MEMBERS);
  private count = 0;

  constructor(
    private readonly store: SlotStore,
    private readonly columns: HintColumns,
    private readonly volumes: VolumeByBytes,
  ) {}

  add(bytes: Buffer, member: PlainHintMember): void {
    const i = this.count;
    const hash = packIdRecord(bytes, member.idStart, member.idEnd, this.keys, i * PACKED_ID_BYTES);
    const volumeGroup = this.volumes.get(bytes, member.volidStart, member.volidEnd);
    const knownOrder = member.orderStart >= 0 && writeOrderKeyOfBytes(bytes, member.orderStart, member.orderEnd, this.orders, i * 4) ? 1 : 0;
    if (hash === NOT_PACKABLE) {
      // Not an id the plain shape lets through; by its string all the same.
      this.flush();
      const slot = this.store.ensure(bytes.toString('latin1', member.idStart, member.idEnd));
      this.columns.setFrom(slot, volumeGroup, member.sizeBytes, knownOrder, this.orders, i * 4);
      return;
    }
    this.hashes[i] = hash;
    this.volumeGroups[i] = volumeGroup;
    this.sizes[i] = member.sizeBytes;
    this.knownOrders[i] = knownOrder;
    this.count = i + 1;
    if (this.count === BATCH_MEMBERS) this.flush();
  }

  /** Puts the members held into the id table and the columns. */
  flush(): void {
    const { store, columns, count } = this;
    if (count === 0) return;
    store.touchIds(this.hashes, count);
    for (let i = 0; i < count; i++) {
      const slot = store.ensurePacked(this.keys, i * PACKED_ID_BYTES, this.hashes[i] as number);
      columns.setFrom(slot, this.volumeGroups[i] as number, this.sizes[i] as number, this.knownOrders[i] as number, this.orders, i * 4);
    }
    this.count = 0;
  }
}
