import { describe, expect, it } from 'vitest';
import { classifyLine, MessageAssembler, type DsmcEnd, type DsmcMessage } from '../../src/core/dsmc/index.js';
import { classifyDeleteMessage, classifyDeleteOutcome, newDeleteTally, tallyDeleteMessage } from '../../src/deleter/outcome.js';

const OUT = '/grid/pool/out';
const A = '0000004C9A19B5FA480398AED8A6CD61107D';
const B = '00000A1B2C3D4E5F60718293A4B5C6D7E8F9';
const C = '0000FFFF0000111122223333444455556666';
const IDS = [A, B, C];

/** dsmc output lines → messages, as the session runner sees them (wrapped quotes joined). */
function messagesOf(...lines: string[]): DsmcMessage[] {
  const messages: DsmcMessage[] = [];
  const assembler = new MessageAssembler((_line, cls) => {
    if (cls.kind === 'message') messages.push(cls.message);
  });
  for (const line of lines) assembler.push(line);
  assembler.flush();
  return messages;
}

function message(line: string): DsmcMessage {
  const cls = classifyLine(line);
  if (cls.kind !== 'message') throw new Error(`not a message: ${line}`);
  return cls.message;
}

const exited = (exitCode: number): DsmcEnd => ({ kind: 'exited', exitCode });

describe('classifyDeleteMessage', () => {
  it.each([
    ["ANS1278W Virtual mount point '/grid' is a file system. It will be backed up as a file system.", { kind: 'harmless' }],
    ['ANS1898I ***** Processed     1,000 files *****', { kind: 'harmless' }],
    ['ANS1302E No objects on server match query', { kind: 'all-gone' }],
    [`ANS1345E No objects on the server match '${OUT}/${A}'`, { kind: 'gone', id: A }],
    // localized text: the code and the quoted path decide, never the English words
    [`ANS1345E Keine Objekte auf dem Server stimmen mit '${OUT}/${B}' überein`, { kind: 'gone', id: B }],
    ['ANS1345E No objects on the server match (no quoted path)', { kind: 'failure' }],
    ['ANS1017E Session rejected: TCP/IP connection failure', { kind: 'failure' }],
    ['ANS1311E Server out of data storage space', { kind: 'failure' }],
    ['ANS2050E IBM Storage Protect needs to prompt for the password but cannot prompt', { kind: 'failure' }],
  ])('%s', (line, expected) => {
    expect(classifyDeleteMessage(message(line))).toEqual(expected);
  });
});

describe('classifyDeleteOutcome', () => {
  it('exit code 0: everything deleted', () => {
    const outcome = classifyDeleteOutcome(exited(0), [], IDS);
    expect(outcome).toMatchObject({ verdict: 'success', deleted: 3, remaining: 0 });
    expect(outcome.isGone(C)).toBe(true);
  });

  it('ANS1302E: all were gone already', () => {
    const outcome = classifyDeleteOutcome(exited(12), messagesOf('ANS1302E No objects on server match query'), IDS);
    expect(outcome).toMatchObject({ verdict: 'all-confirmed', deleted: 3, remaining: 0 });
  });

  it('ANS1345E for some ids and only harmless messages besides: all confirmed (the others were deleted)', () => {
    const outcome = classifyDeleteOutcome(
      exited(12),
      messagesOf(`ANS1345E No objects on the server match '${OUT}/${A}'`, 'ANS1898I ***** Processed       500 files *****', "ANS1278W Virtual mount point '/grid' is a file system."),
      IDS,
    );
    expect(outcome).toMatchObject({ verdict: 'all-confirmed', deleted: 3, remaining: 0 });
  });

  it('only harmless warnings with a non-zero code: all deleted', () => {
    expect(classifyDeleteOutcome(exited(8), messagesOf("ANS1278W Virtual mount point '/grid' is a file system."), IDS).verdict).toBe('all-confirmed');
  });

  it('another message keeps the unconfirmed ids; ANS1345E-confirmed ids still count as deleted', () => {
    const outcome = classifyDeleteOutcome(
      exited(12),
      messagesOf(`ANS1345E No objects on the server match '${OUT}/${B}'`, 'ANS1017E Session rejected: TCP/IP connection failure'),
      IDS,
    );
    expect(outcome).toMatchObject({ verdict: 'failed', deleted: 1, remaining: 2 });
    expect([A, B, C].map((id) => outcome.isGone(id))).toEqual([false, true, false]);
  });

  it('a path wrapped onto the next line is joined before its id is read', () => {
    const outcome = classifyDeleteOutcome(
      exited(12),
      messagesOf(`ANS1345E No objects on the server match '${OUT}/${C.slice(0, 20)}`, `${C.slice(20)}'`, 'ANS1029E Communication with the server is lost.'),
      IDS,
    );
    expect(outcome).toMatchObject({ verdict: 'failed', deleted: 1, remaining: 2 });
    expect(outcome.isGone(C)).toBe(true);
  });

  it('a bare non-zero exit code without any message explains nothing: all stay queued', () => {
    expect(classifyDeleteOutcome(exited(12), [], IDS)).toMatchObject({ verdict: 'failed', deleted: 0, remaining: 3 });
  });

  it.each([
    ['killed by a signal', { kind: 'signaled', signal: 'SIGSEGV' }],
    ['killed at a prompt', { kind: 'prompt' }],
    ['not started', { kind: 'spawn-failed', error: 'ENOENT' }],
  ] as const)('%s: only ids confirmed by ANS1345E are gone', (_name, end) => {
    const outcome = classifyDeleteOutcome(end, messagesOf(`ANS1345E No objects on the server match '${OUT}/${A}'`), IDS);
    expect(outcome).toMatchObject({ verdict: 'failed', deleted: 1, remaining: 2 });
  });

  it('the same id confirmed twice counts once', () => {
    const line = `ANS1345E No objects on the server match '${OUT}/${A}'`;
    expect(classifyDeleteOutcome({ kind: 'signaled', signal: 'SIGKILL' }, messagesOf(line, line), IDS)).toMatchObject({ deleted: 1, remaining: 2 });
  });

  it('ANS1345E for a path not in the list confirms nothing of the list', () => {
    const outcome = classifyDeleteOutcome(exited(12), messagesOf(`ANS1345E No objects on the server match '${OUT}/0000DEAD'`, 'ANS1017E x'), IDS);
    expect(outcome).toMatchObject({ verdict: 'failed', deleted: 0, remaining: 3 });
  });
});

describe('tallyDeleteMessage', () => {
  it('marks each confirmed id once, counts strays apart, keeps only a few failure samples', () => {
    const marks: string[] = [];
    const markGone = (id: string) => {
      marks.push(id);
      return id === A ? (marks.length === 1 ? ('marked' as const) : ('again' as const)) : ('stray' as const);
    };
    const tally = newDeleteTally();
    tallyDeleteMessage(tally, message(`ANS1345E No objects on the server match '${OUT}/${A}'`), markGone);
    tallyDeleteMessage(tally, message(`ANS1345E No objects on the server match '${OUT}/${A}'`), markGone);
    tallyDeleteMessage(tally, message(`ANS1345E No objects on the server match '${OUT}/0000DEAD'`), markGone);
    for (let i = 0; i < 100; i++) tallyDeleteMessage(tally, message(`ANS1017E failure ${i}`), markGone);
    expect(marks).toEqual([A, A, '0000DEAD']);
    expect(tally).toMatchObject({ gone: 1, strayGone: 1, failures: 100 });
    expect(tally.failureSamples.length).toBe(20);
  });
});
