export {
  formatHintFile,
  hintFileChunks,
  writeHintFile,
  HintFileError,
  parseHintFile,
  readHintFile,
  resolveHintFilePath,
  sanitizeVolumeName,
  type HintFileRead,
  type HintMap,
  type HintSkipHandler,
  type TapeHint,
} from './hint-file.js';
export { hintRecordSteps, planHintRecord, parseByteCount, scanHintRecords, type HintRecord, type HintRecordPlan, type HintScanOptions, type HintScanOutcome, type HintScanSummary } from './hint-scan.js';
export type { PlainHintMember } from './plain-member.js';
export { bufferByteSource, fileByteSource, runSteps, type ByteSource } from './json-scanner.js';
export { hintByteSource, MAX_HINT_FILE_BYTES, withHintFile, withHintFileAsync, type OpenHintFile } from './hint-open.js';
