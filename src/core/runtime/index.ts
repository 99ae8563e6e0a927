export { runDaemon } from './run-daemon.js';
export { coordinatorOf, type DaemonBehaviour, type DaemonContext, type DaemonDefinition, type DaemonName } from './daemon.js';
export { SessionRegistry, type SessionStart, type OrphanReport } from './session-registry.js';
export { backoffDelayMs, backoffRemainingMs, recordSessionResult, NO_BACKOFF, type BackoffState } from './backoff.js';
export { Waker } from './waker.js';
export { installSignalHandlers, type SignalHandlers } from './signals.js';
export { acquireInstanceLock, lockPath, readLockHolder, LockHeldError } from './instance-lock.js';
export { isProcessAlive, findProcessesWithArg, killHard, waitForExit } from './proc.js';
export { describeArgsError, packageVersion, parseProgramArgs, readProgramArgs, USAGE_EXIT_CODE, type ProgramArgs } from './program-args.js';
