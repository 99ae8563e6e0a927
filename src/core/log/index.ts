export { createLogger, logFilePath, MAX_LINE_CHARS, type Logger, type LoggerOptions } from './logger.js';
export { formatLocalTime, formatTextLine, formatJsonLine, type LogRecord, type LogLevel } from './format-line.js';
