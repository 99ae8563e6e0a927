import { describe, expect, it } from 'vitest';
import { classifyLine, type DsmcMessage } from '../../src/core/dsmc/index.js';
import { parseNotRemovedName, parseSentName } from '../../src/archiver/sent-lines.js';

const OUT = '/pool/out';
const ID = '0000A1B2C3D4E5F60718293A4B5C6D7E8F90';

function message(line: string): DsmcMessage {
  const cls = classifyLine(line);
  if (cls.kind !== 'message') throw new Error(`not a message: ${line}`);
  return cls.message;
}

describe('parseSentName', () => {
  it.each<[string, string, string | null]>([
    ['dsmc-facts transcript', `Normal File-->     1,073,741,824 ${OUT}/${ID} [Sent]`, ID],
    ['our fake', `Normal File-->             1,000 ${OUT}/${ID} [Sent]`, ID],
    ['a retry', `Retry # 1  Normal File-->            21,841 ${OUT}/${ID} [Sent]`, ID],
    ['numberformat 3 (space groups)', `Normal File-->     1 073 741 824 ${OUT}/${ID} [Sent]`, ID],
    ["numberformat 6 (' groups)", `Normal File-->     1'073'741'824 ${OUT}/${ID} [Sent]`, ID],
    ['trailing blanks', `Normal File-->             5 ${OUT}/${ID} [Sent]   `, ID],
    ['changed, not sent', `Normal File-->            85,113 ${OUT}/${ID}  Changed`, null],
    ['another directory', `Normal File-->             5 /other/out/${ID} [Sent]`, null],
    ['a deeper path', `Normal File-->             5 ${OUT}/x/${ID} [Sent]`, null],
    ['not a pnfsid', `Normal File-->             5 ${OUT}/${ID}.err [Sent]`, null],
    ['a message naming the path', `ANS1228E Sending of object '${OUT}/${ID}' failed. [Sent]`, null],
    ['a summary line', 'Total number of objects archived:             2', null],
  ])('%s', (_what, line, expected) => {
    expect(parseSentName(line, OUT)).toBe(expected);
  });

  it('takes a pool directory with blanks', () => {
    expect(parseSentName(`Normal File-->             1,000 /my pool/out/${ID} [Sent]`, '/my pool/out')).toBe(ID);
  });
});

describe('parseNotRemovedName', () => {
  it.each<[string, string, string | null]>([
    ['ANS4007E on a file of out/', `ANS4007E Error processing '${OUT}/${ID}': access to the object is denied`, ID],
    ['ANS4007E elsewhere', `ANS4007E Error processing '/etc/${ID}': access to the object is denied`, null],
    ['ANS4005E is not a removal failure', `ANS4005E Error processing '${OUT}/${ID}': file not found`, null],
    ['ANS1228E is not either', `ANS1228E Sending of object '${OUT}/${ID}' failed.`, null],
  ])('%s', (_what, line, expected) => {
    expect(parseNotRemovedName(message(line), OUT)).toBe(expected);
  });
});
