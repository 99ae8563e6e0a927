import type { Logger } from '../core/log/index.js';
import type { RetrieverDecision, SpaceHold } from './policy.js';
import { formatBytes } from '../core/units.js';
import type { SpaceView } from './space.js';

function describeSpace(decision: RetrieverDecision, space: SpaceView | null): string {
  const lines = decision.lines;
  if (space === null || lines === null) return 'free space of in/ unknown';
  return `${formatBytes(space.freeBytes)} free on the filesystem of in/ (backlog line ${formatBytes(lines.backlogLineBytes)}, kill line ${formatBytes(lines.killLineBytes)}, buffer ${formatBytes(lines.bufferBytes)})`;
}

/**
 * Says at the normal log level, once per change, when space holds recalls
 * back and when it stops doing so (the Perl program said it only when
 * verbose, so a too large buffer silently blocked every recall).
 */
export class SpaceAnnouncer {
  private state: string | null = null;
  private shrunk = false;
  private hold: SpaceHold = null;

  constructor(private readonly logger: Logger) {}

  announce(decision: RetrieverDecision, space: SpaceView | null, runningSessions: number): void {
    const { logger } = this;
    const shrunk = decision.lines?.bufferShrunk ?? false;
    if (shrunk && !this.shrunk && space !== null) {
      logger.warn('buffer_exceeds_filesystem', `the filesystem of in/ (${formatBytes(space.totalBytes)}) is smaller than retriever_buffersize: using half of it (${formatBytes(decision.lines?.bufferBytes ?? 0)}) as the buffer`);
    }
    this.shrunk = shrunk;
    if (decision.spaceState !== this.state) {
      const where = describeSpace(decision, space);
      if (decision.spaceState === 'FULL') logger.warn('space_full', `Space FULL: ${where}; killing ${runningSessions} retrieve session(s), starting none`);
      else if (decision.spaceState === 'BACKLOG') logger.info(`Space BACKLOG: ${where}; no new retrieve session starts until dCache takes recalled files away`);
      else if (decision.spaceState === 'UNKNOWN') logger.warn('space_unknown', `Space unknown: cannot read the free space of in/; no new retrieve session starts`);
      else logger.info(`Space OK: ${where}`);
      this.state = decision.spaceState;
    }
    if (decision.hold !== this.hold && (decision.hold === 'RESERVATION' || this.hold === 'RESERVATION')) {
      if (decision.hold === 'RESERVATION') logger.info(`Recalls wait for space: ${describeSpace(decision, space)}, and the oldest requests do not fit in what running sessions leave (${formatBytes(Math.max(0, decision.budgetBytes))})`);
      else logger.info('Recalls no longer wait for space');
    }
    this.hold = decision.hold;
  }
}
