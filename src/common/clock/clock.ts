import { todayInLondon, type CalendarDate } from '../dates/calendar-date';

/**
 * The source of "now". Inject Clock (the abstract class is the DI token) instead of calling
 * new Date(), so deadlines and overdue checks can be tested and queried "as of" a given instant.
 */
export abstract class Clock {
  abstract now(): Date;

  /** Today's date in England: statutory days run on Europe/London local time, not UTC. */
  today(): CalendarDate {
    return todayInLondon(this.now());
  }
}

export class SystemClock extends Clock {
  override now(): Date {
    return new Date();
  }
}

/** A clock stopped at a given instant, for tests and as-of queries. */
export class FixedClock extends Clock {
  private instant: Date;

  constructor(instant: Date) {
    super();
    this.instant = FixedClock.copy(instant);
  }

  // Copies in and out: a caller mutating a Date (setDate etc.) must not move the clock.
  override now(): Date {
    return new Date(this.instant.getTime());
  }

  set(instant: Date): void {
    this.instant = FixedClock.copy(instant);
  }

  private static copy(instant: Date): Date {
    if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
      throw new RangeError(`FixedClock needs a valid Date, got ${String(instant)}`);
    }
    return new Date(instant.getTime());
  }
}
