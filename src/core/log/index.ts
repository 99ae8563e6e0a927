export { createLogger, logFilePath, MAX_LINE_CHARS, type Logger, type LoggerOptions } from './logger.js';
export { formatLocalTime, formatTextLine, formatJsonLine, type LogRecord, type LogLevel } from './format-line.js';
export { LOG_CODES, PROGRAM_LOG_CODES, isLogCode, type LogCode, type RecordCode } from './codes.js';
export { createSessionHistory, type SessionHistory, type SessionSummary } from './session-history.js';
