/**
 * Every stable code a warning or error is logged with, and what it means,
 * grouped by the program that logs it. Codes label the `<daemon>_errors`
 * figure and the `[code]` of a log line, so alert rules depend on them: add
 * codes here, never rename one.
 */
const COMMON_CODES = {
  config_invalid: 'the configuration file was rejected; the previous one stays in force',
  config_not_reloadable: 'a changed key takes effect only after a restart',
  config_warning: 'the configuration has something odd but usable',
  override_rejected: 'the override file was rejected; the previous overrides stay in force',
  override_unreadable: 'the override file cannot be read',
  startup_failed: 'the daemon could not start',
  internal_error: 'an unexpected error; the daemon kills its dsmc sessions and exits',
  cycle_failed: 'one cycle failed; it is retried with back-off',
  forced_stop: 'a second stop signal: the daemon stops at once',
  orphan_killed: 'a dsmc session left by an earlier run was killed at start',
  stats_write_failed: 'the stats files cannot be written',
  statsdir_missing: 'currstatsdir does not exist',
  dsmc_failed: 'a dsmc session failed',
  dsmc_message: 'a warning or error dsmc printed in a failed session',
  odd_entry: 'a pool directory holds something that is not a regular file (symlink, directory, FIFO, socket); it is skipped',
  session_record_invalid: 'requestlists/ holds an entry named like a session record that is not one (odd name, symlink, directory); it is ignored',
  lock_lost: 'the instance lock was removed or replaced: taken again, or the daemon stops because another process holds it now',
  dsmc_output_cut: 'dsmc printed lines too long to keep (over 64 KiB); they were cut',
  session_history_failed: 'the session history file <logdir>/tsm<daemon>-sessions.jsonl cannot be opened; its records go to the log (code session_record) meanwhile',
} as const;

const ARCHIVER_CODES = {
  archive_not_deleted: 'dsmc archived a file but could not remove it from out/, nor could the archiver; it is held there and never archived again',
  sent_journal_failed: 'the record of files dsmc archived cannot be written or read; after a restart they may be archived again',
} as const;

const RETRIEVER_CODES = {
  recall_failed: 'a recall failed and its request got a .err file',
  err_write_failed: 'a .err file for a failed recall cannot be written',
  request_invalid: 'a request file is not valid',
  request_watch_failed: 'request/ cannot be watched; the retriever lists it instead',
  size_mismatch: 'a recalled file in in/ has another size than its request says',
  space_full: 'free space fell below the kill line: sessions were killed',
  space_unknown: 'free space cannot be measured',
  space_unreadable: 'free space cannot be read',
  buffer_exceeds_filesystem: 'retriever_buffersize is larger than the file system',
  hintfile_missing: 'the hint file does not exist',
  hintfile_invalid: 'the hint file is not valid',
  hintfile_entries_skipped: 'entries of the hint file were skipped',
  list_write_failed: 'the file list of one volume cannot be written; that volume backs off, others go on',
  recall_too_large: 'a recall is larger than in/ can ever hold above the kill line; it waits in request/, other recalls go on (named once an hour)',
  dsmc_stalled: 'a dsmc retrieve printed nothing and landed no bytes for dsmc_stalltimeout seconds and was killed; a failed session, its recalls are retried',
} as const;

const DELETER_CODES = {
  trash_queue_failed: 'files in trash/ cannot be queued',
  trash_unlink_failed: 'queued files cannot be removed from trash/',
  queue_unreadable: 'the deletion queue cannot be read',
  queue_file_corrupt: 'a deletion queue file is not valid and was set aside',
  queue_processing_failed: 'processing the deletion queue failed; it is retried later',
  hintfile_missing: 'deleter_volumequiet is set but no hint file is configured',
  hintfile_unreadable: 'the hint file cannot be read',
  hintfile_invalid: 'the hint file is not valid',
} as const;

const TAPEHINTS_CODES = {
  config_warning: COMMON_CODES.config_warning,
  dsmc_failed: COMMON_CODES.dsmc_failed,
  dsmc_message: COMMON_CODES.dsmc_message,
  dsmc_output_cut: COMMON_CODES.dsmc_output_cut,
  stopped: 'stopped by a signal; the hint file stays as it was',
  no_hintfile: 'retriever_hintfile is not configured',
  no_volume: 'listed objects had no volume: no hint for them',
  duplicate_object: 'an object is on tape more than once',
  object_expires: 'an object on tape has an expiry date',
  tapehints_failed: 'the tape hint file could not be made',
} as const;

/**
 * Codes of info lines that carry a record rather than a problem: the
 * `[code]` of the line, never counted in `<daemon>_errors`.
 */
const RECORD_CODES = {
  session_record: "one dsmc session's history record (the JSON of a line of <logdir>/tsm<daemon>-sessions.jsonl), logged instead with logdir -",
} as const;

export type RecordCode = keyof typeof RECORD_CODES;

export const LOG_CODES = { ...COMMON_CODES, ...ARCHIVER_CODES, ...RETRIEVER_CODES, ...DELETER_CODES, ...TAPEHINTS_CODES } as const;

export type LogCode = keyof typeof LOG_CODES;

/** The codes each program can log, for counters that exist from the first write. */
export const PROGRAM_LOG_CODES: Readonly<Record<'archiver' | 'retriever' | 'deleter' | 'tapehints', readonly LogCode[]>> = {
  archiver: codesOf(COMMON_CODES, ARCHIVER_CODES),
  retriever: codesOf(COMMON_CODES, RETRIEVER_CODES),
  deleter: codesOf(COMMON_CODES, DELETER_CODES),
  tapehints: codesOf(TAPEHINTS_CODES),
};

function codesOf(...groups: ReadonlyArray<Record<string, string>>): LogCode[] {
  return [...new Set(groups.flatMap((group) => Object.keys(group)))].sort() as LogCode[];
}

export function isLogCode(code: string): code is LogCode {
  return Object.hasOwn(LOG_CODES, code);
}
