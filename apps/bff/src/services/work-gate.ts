import { BffError } from '../errors.ts';

/**
 * A small semaphore for work that pages the tenant many times (a search's binding preview,
 * its revocation): at most `concurrency` run at once in this BFF process, up to `queue` more
 * wait their turn, and past that the caller gets 429 with Retry-After at once, so a few
 * support people clicking cannot stall the tenant for everyone else.
 */
export class WorkGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly options: { concurrency: number; queue: number; retryAfterSeconds: number; busy: string },
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.queue) {
        throw new BffError(429, 'busy', this.options.busy, { retryAfter: this.options.retryAfterSeconds });
      }
      // release() hands its slot over: `running` stays counted for this caller.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
