// The misbehaviours after which a session goes on as if nothing happened: a child left
// holding the output pipes, a line without end, a flood of messages. They test the
// reader of the output, not the tape logic.
import { spawn } from 'node:child_process';
import type { SessionContext } from './session.js';

/** Forks `sleep 3600` on the session's stdout and stderr and leaves it there. */
export function holdStdout(ctx: SessionContext): void {
  ctx.out.flush();
  const holder = spawn('sleep', ['3600'], { stdio: ['ignore', 'inherit', 'inherit'] });
  holder.on('error', () => undefined); // no sleep(1): nothing held, the test will say so
  holder.unref();
  if (holder.pid !== undefined) ctx.holderPid = holder.pid;
}

const LINE_CHUNK_CHARS = 1 << 20;

/** Prints `lineBytes` characters with no newline, then ends the line. */
export function printLongLine(ctx: SessionContext): void {
  const piece = 'x'.repeat(Math.min(LINE_CHUNK_CHARS, ctx.plan.lineBytes));
  for (let left = ctx.plan.lineBytes; left > 0; left -= piece.length) ctx.out.raw(left >= piece.length ? piece : piece.slice(0, left));
  ctx.out.line();
  ctx.out.flush();
}

/** A few codes of every severity, in turn; `i` makes each text different. */
const FLOOD_TEXTS: ReadonlyArray<(i: number) => string> = [
  (i) => `ANS1228E Sending of object '/flood/${i}' failed.`,
  (i) => `ANS4005E Error processing '/flood/${i}': file not found`,
  (i) => `ANS1809W A session with the server was lost (${i}); the client reconnects.`,
  (i) => `ANS1898I ***** Processed ${i} files *****`,
];

/** Prints `floodMessages` messages: I on stdout, W and E where the scenario puts them. */
export function flood(ctx: SessionContext): void {
  for (let i = 0; i < ctx.plan.floodMessages; i++) ctx.out.queueMessage((FLOOD_TEXTS[i % FLOOD_TEXTS.length] as (i: number) => string)(i));
  ctx.out.flush();
}
