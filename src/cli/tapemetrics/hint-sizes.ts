// `usedsize` of `endit tapemetrics`: the bytes a hint file lists, read with the
// shared streaming reader (src/core/hints) without keeping the entries.
import { errorMessage } from '../../core/errors.js';
import { HintFileError, hintByteSource, scanHintRecords, withHintFile } from '../../core/hints/index.js';

export interface HintSizes {
  /** Sum of the known sizes. */
  readonly bytes: number;
  readonly files: number;
  /** Entries without a byte count (dsmc listed them in KB or larger units): counted as 0. */
  readonly unknownSizeFiles: number;
  /** Members that are no usable entry (not a pnfsid, no volid). */
  readonly skipped: number;
}

export type HintSizesRead = { readonly ok: true; readonly sizes: HintSizes } | { readonly ok: false; readonly error: string };

/** The sizes in a hint file; a one-line error naming the file when it cannot be read or is not a hint file. */
export function readHintSizes(file: string): HintSizesRead {
  try {
    return withHintFile(file, (open): HintSizesRead => {
      let bytes = 0;
      let files = 0;
      let unknownSizeFiles = 0;
      const outcome = scanHintRecords(hintByteSource(open), (record) => {
        files++;
        if (record.sizeBytes === null) unknownSizeFiles++;
        else bytes += record.sizeBytes;
      });
      if (!outcome.ok) return { ok: false, error: `${file}: ${outcome.error}` };
      return { ok: true, sizes: { bytes, files, unknownSizeFiles, skipped: outcome.summary.skipped } };
    });
  } catch (error) {
    if (error instanceof HintFileError) return { ok: false, error: error.message };
    return { ok: false, error: `${file}: cannot read the hint file (${errorMessage(error)})` };
  }
}
