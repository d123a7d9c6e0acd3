// Admission of classification requests: at most `limit` rows of classify and reclassify requests are worked on at once;
// the others wait, first come first served, holding only their parsed body. Without it 50 connections of 500-row
// batches answered from the repeat cache each hold their result rows, response text and audit copy (about 16 MB a
// request) at the same time: the main thread's heap swung between 100 and 900+ MB and its collections stalled the event
// loop (GET /health) for up to 2.9 s. A request larger than the limit is admitted alone, once nothing else runs.

export const DEFAULT_ROWS_IN_FLIGHT = 1000;

export class RowGate {
  private inFlight = 0;
  private readonly waiting: { rows: number; admit: () => void }[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`the rows in flight must be a positive whole number, not ${limit}`);
  }

  /** Runs `work` once `rows` more rows fit (immediately when nothing waits and they fit, or nothing runs). */
  async run<T>(rows: number, work: () => Promise<T>): Promise<T> {
    await this.enter(rows);
    try {
      return await work();
    } finally {
      this.inFlight -= rows;
      this.admitWaiting();
    }
  }

  /** Rows being worked on, and requests waiting. */
  get state(): { rows: number; waiting: number } {
    return { rows: this.inFlight, waiting: this.waiting.length };
  }

  private fits(rows: number): boolean {
    return this.inFlight === 0 || this.inFlight + rows <= this.limit;
  }

  private enter(rows: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(rows)) {
      this.inFlight += rows;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push({
        rows,
        admit: () => {
          this.inFlight += rows;
          resolve();
        },
      }),
    );
  }

  private admitWaiting(): void {
    while (this.waiting.length && this.fits(this.waiting[0].rows)) this.waiting.shift()!.admit();
  }
}
