import { afterEach, describe, expect, it, vi } from 'vitest';
import { Waker } from '../../../src/core/runtime/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Waker', () => {
  it('sleeps for the given time, or until woken', async () => {
    vi.useFakeTimers();
    const waker = new Waker();
    let done = false;
    void waker.sleep(60_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);

    done = false;
    void waker.sleep(60_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(10);
    waker.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
  });

  it('a wake with nobody sleeping makes the next sleep return at once', async () => {
    vi.useFakeTimers();
    const waker = new Waker();
    waker.wake();
    let done = false;
    void waker.sleep(60_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
  });
});
