import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { holdSignals, PendingSignals, routeSignals, takeHeldSignals, type SignalHandlers } from '../../../src/core/runtime/signals.js';

function recorder(name: string, events: string[]): SignalHandlers {
  return {
    reload: () => events.push(`${name} reload`),
    skipDelays: () => events.push(`${name} skipDelays`),
    stop: (signal, forced) => events.push(`${name} stop ${signal}${forced ? ' forced' : ''}`),
  };
}

describe('routeSignals', () => {
  it('turns signals into events for the handlers in place; a stop before a switch still makes the next one forced', () => {
    const proc = new EventEmitter();
    const events: string[] = [];
    const router = routeSignals(recorder('start-up', events), proc as unknown as NodeJS.Process);
    proc.emit('SIGHUP', 'SIGHUP');
    proc.emit('SIGTERM', 'SIGTERM');
    router.route(recorder('loop', events));
    proc.emit('SIGUSR1', 'SIGUSR1');
    proc.emit('SIGQUIT', 'SIGQUIT');
    router.remove();
    proc.emit('SIGHUP', 'SIGHUP');
    expect(events).toEqual(['start-up reload', 'start-up stop SIGTERM', 'loop skipDelays', 'loop stop SIGQUIT forced']);
    expect(proc.eventNames()).toEqual([]);
  });
});

describe('fault 1: signals during start-up', () => {
  it('are remembered and handed to the loop once: a reload, a skip and a stop', () => {
    const forced: string[] = [];
    const pending = new PendingSignals((signal) => forced.push(signal));
    expect(pending.stopSignal).toBeNull();
    pending.reload();
    pending.reload();
    pending.skipDelays();
    pending.stop('SIGINT', false);
    pending.stop('SIGTERM', false);
    expect(pending.stopSignal).toBe('SIGINT');
    const events: string[] = [];
    pending.replayTo(recorder('loop', events));
    expect(events).toEqual(['loop reload', 'loop skipDelays', 'loop stop SIGINT']);
    expect(forced).toEqual([]);
  });

  it('a forced stop during start-up acts at once', () => {
    const forced: string[] = [];
    const pending = new PendingSignals((signal) => forced.push(signal));
    pending.stop('SIGTERM', true);
    expect(forced).toEqual(['SIGTERM']);
  });

  it('nothing pending, nothing handed over', () => {
    const events: string[] = [];
    new PendingSignals(() => {}).replayTo(recorder('loop', events));
    expect(events).toEqual([]);
  });
});

describe('fault 1: signals while the daemon modules load', () => {
  it('holdSignals listens at once; runDaemon takes over what came, with its own forced stop', () => {
    holdSignals();
    holdSignals(); // a second call adds no second set of listeners
    expect(process.listenerCount('SIGHUP')).toBeGreaterThan(0);
    process.emit('SIGHUP', 'SIGHUP');
    process.emit('SIGUSR1', 'SIGUSR1');
    process.emit('SIGTERM', 'SIGTERM');
    const forced: string[] = [];
    const { router, pending } = takeHeldSignals((signal) => forced.push(signal));
    try {
      expect(pending.stopSignal).toBe('SIGTERM');
      process.emit('SIGTERM', 'SIGTERM');
      expect(forced).toEqual(['SIGTERM']);
      const events: string[] = [];
      pending.replayTo(recorder('loop', events));
      expect(events).toEqual(['loop reload', 'loop skipDelays', 'loop stop SIGTERM']);
    } finally {
      router.remove();
    }
  });

  it('a signal held by the shim reaches the bundled daemon, whose copy of the module is another instance', () => {
    // bin/endit-<daemon> holds with dist/core/runtime/signals.js, then imports dist/bundle/, which has its own copy.
    const signalsUrl = new URL('../../../dist/core/runtime/signals.js', import.meta.url).href;
    const script = [
      `const shimCopy = await import(${JSON.stringify(signalsUrl)});`,
      'shimCopy.holdSignals();',
      "process.emit('SIGUSR1', 'SIGUSR1');",
      `const daemonCopy = await import(${JSON.stringify(`${signalsUrl}?bundled`)});`,
      'const { pending, router } = daemonCopy.takeHeldSignals(() => {});',
      "const events = []; pending.replayTo({ reload: () => events.push('reload'), skipDelays: () => events.push('skipDelays'), stop: () => events.push('stop') });",
      "console.log(JSON.stringify({ events, listeners: process.listenerCount('SIGUSR1') }));",
      'router.remove();',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ events: ['skipDelays'], listeners: 1 });
  });

  it('each daemon shim holds signals before it imports the daemon', () => {
    for (const daemon of ['archiver', 'retriever', 'deleter']) {
      const shim = fs.readFileSync(new URL(`../../../bin/endit-${daemon}`, import.meta.url), 'utf8');
      const hold = shim.indexOf('holdSignals()');
      expect(hold, daemon).toBeGreaterThan(0);
      expect(shim.indexOf('await import(main.href)'), daemon).toBeGreaterThan(hold);
    }
  });
});
