/** Time as the client sees it; the benchmark swaps in a simulated clock where sleeping is instant. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

/** A clock that only moves when someone sleeps (benchmarks at Zoho's limits in simulated hours). */
export class SimulatedClock implements Clock {
  constructor(private t = Date.UTC(2026, 0, 5, 8, 0, 0)) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    if (ms > 0) this.t += ms;
    // Let other tasks run, as a real sleep would.
    await new Promise((r) => setImmediate(r));
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
