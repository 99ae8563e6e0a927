export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  readonly timeMs: number;
  readonly level: LogLevel;
  readonly hsm: string;
  readonly pid: number;
  readonly message: string;
  /** Stable short code, present on every warning and error. */
  readonly code?: string;
}

const LEVEL_PREFIX: Record<LogLevel, string> = {
  debug: 'Debug: ',
  info: '',
  warn: 'Warning: ',
  error: 'Error: ',
};

/** The sd-daemon(3) priority prefix journald reads from a line on a stream (`journalctl -p warning`). */
const SYSLOG_PRIORITY: Record<LogLevel, string> = {
  debug: '<7>',
  info: '<6>',
  warn: '<4>',
  error: '<3>',
};

export function syslogPrefix(level: LogLevel): string {
  return SYSLOG_PRIORITY[level];
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local time as `YYYY-MM-DD HH:MM:SS`, the timestamp of the Perl program's log lines. */
export function formatLocalTime(timeMs: number): string {
  const d = new Date(timeMs);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `YYYY-MM-DD HH:MM:SS <hsm> [<pid>] <message>`, with `Warning: [code] ` before warnings. */
export function formatTextLine(record: LogRecord): string {
  const code = record.code === undefined ? '' : `[${record.code}] `;
  const message = record.message.replace(/\r?\n/g, ' | ');
  return `${formatLocalTime(record.timeMs)} ${record.hsm} [${record.pid}] ${LEVEL_PREFIX[record.level]}${code}${message}\n`;
}

export function formatJsonLine(record: LogRecord): string {
  const out: Record<string, unknown> = {
    time: new Date(record.timeMs).toISOString(),
    level: record.level,
    hsm: record.hsm,
    pid: record.pid,
  };
  if (record.code !== undefined) out['code'] = record.code;
  out['msg'] = record.message;
  return `${JSON.stringify(out)}\n`;
}
