// dsmc's -dateformat/-timeformat values (dsmc-facts §1.4); 0 (locale) prints like 1.
// Local time, as the client prints it.

export interface DisplayOptions {
  dateFormat: number;
  timeFormat: number;
  numberFormat: number;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** The date part of a timestamp in one of dsmc's seven date formats. */
export function formatDate(timeMs: number, dateFormat: number): string {
  const date = new Date(timeMs);
  const yyyy = String(date.getFullYear()).padStart(4, '0');
  const mm = pad2(date.getMonth() + 1);
  const dd = pad2(date.getDate());
  switch (dateFormat) {
    case 2:
      return `${dd}-${mm}-${yyyy}`;
    case 3:
      return `${yyyy}-${mm}-${dd}`;
    case 4:
      return `${dd}.${mm}.${yyyy}`;
    case 5:
      return `${yyyy}.${mm}.${dd}`;
    case 6:
      return `${yyyy}/${mm}/${dd}`;
    case 7:
      return `${dd}/${mm}/${yyyy}`;
    default:
      return `${mm}/${dd}/${yyyy}`;
  }
}

/** The time part of a timestamp in one of dsmc's five time formats. */
export function formatTime(timeMs: number, timeFormat: number): string {
  const date = new Date(timeMs);
  const hours = date.getHours();
  const mm = pad2(date.getMinutes());
  const ss = pad2(date.getSeconds());
  const hh12 = pad2(hours % 12 === 0 ? 12 : hours % 12);
  const ampm = hours < 12 ? 'A' : 'P';
  switch (timeFormat) {
    case 2:
      return `${pad2(hours)},${mm},${ss}`;
    case 3:
      return `${pad2(hours)}.${mm}.${ss}`;
    case 4:
      return `${hh12}:${mm}:${ss} ${ampm}`;
    case 5:
      return `${ampm} ${hh12}:${mm}:${ss}`;
    default:
      return `${pad2(hours)}:${mm}:${ss}`;
  }
}

export function formatDateTime(timeMs: number, display: DisplayOptions): string {
  return `${formatDate(timeMs, display.dateFormat)} ${formatTime(timeMs, display.timeFormat)}`;
}
