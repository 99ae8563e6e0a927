/** A sleep that an event (a signal, a session ending) can cut short. */
export class Waker {
  private wakeCurrent: (() => void) | null = null;
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wakeCurrent = null;
        resolve();
      }
      this.wakeCurrent = done;
    });
  }

  /** Ends the current sleep now, or the next one at once if none runs. */
  wake(): void {
    if (this.wakeCurrent !== null) this.wakeCurrent();
    else this.woken = true;
  }
}
