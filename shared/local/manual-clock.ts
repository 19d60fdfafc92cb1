import type { Clock } from '../app/ports.ts';

/** A clock the demo, `serve --fast` and tests move by hand. Never goes backwards. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(start: Date | string) {
    this.ms = new Date(start).getTime();
    if (Number.isNaN(this.ms)) throw new Error(`ManualClock: bad start ${String(start)}`);
  }

  now(): Date {
    return new Date(this.ms);
  }

  set(to: Date | string): void {
    const ms = new Date(to).getTime();
    if (ms > this.ms) this.ms = ms;
  }

  advance(ms: number): void {
    this.ms += Math.max(0, ms);
  }
}
