import type { Logger } from '../core/log/index.js';
import { MAX_PNFSID_LENGTH, OddEntryWarnings, type EntryKind } from '../core/pool/index.js';
import type { OddRequestEntry } from './scan-requests.js';

/**
 * Warns once per entry of request/ that is skipped: one that is not a
 * regular file (`odd_entry`), or a hexadecimal name too long to be a pnfsid
 * (`request_invalid`: it is never read, listed or failed, so it never costs
 * a mount). An entry is warned about again only after a full listing did
 * not see it.
 */
export class RequestDirWarnings {
  private readonly odd: OddEntryWarnings;
  private longNames = new Set<string>();
  private longNamesSeen = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.odd = new OddEntryWarnings(dir, (message) => logger.warn('odd_entry', message));
  }

  report(entry: OddRequestEntry): void {
    if (entry.problem === 'long-name') this.longName(entry.name);
    else this.oddEntry(entry.name, entry.problem);
  }

  oddEntry(name: string, kind: EntryKind): void {
    this.odd.report(name, kind);
  }

  private longName(name: string): void {
    this.longNamesSeen.add(name);
    if (this.longNames.has(name)) return;
    this.longNames.add(name);
    this.logger.warn('request_invalid', `${this.dir}/${name}: skipped, a name of ${name.length} hex digits is no pnfsid (at most ${MAX_PNFSID_LENGTH})`);
  }

  /** A full listing ended: entries it did not see are forgotten. */
  endPass(): void {
    this.odd.endPass();
    this.longNames = this.longNamesSeen;
    this.longNamesSeen = new Set();
  }
}
