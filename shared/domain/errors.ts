/**
 * Errors the domain raises on purpose. Each maps to a CLI exit code and an HTTP status at the edges:
 * `InputError` is the caller's fault (exit 2, HTTP 400); anything else is a failure (exit 1, HTTP 500).
 */
export class InputError extends Error {
  override readonly name: string = 'InputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A deadline needs a year for which no official working-day calendar is known. */
export class UnknownCalendarYearError extends InputError {
  override readonly name = 'UnknownCalendarYearError';
  constructor(readonly year: number) {
    super(
      `没有 ${year} 年的官方工作日历：请用 --calendar FILE（或 HUIXIN_CALENDAR_FILES）载入国务院办公厅 ${year} 年放假通知 / ` +
        `no official working-day calendar for ${year}: load the State Council notice for ${year} with --calendar FILE (holiday-cn schema)`,
    );
  }
}

/** A conditional write lost: the item was not in the state the caller expected. Not a failure of the store. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** A thing asked for by id does not exist. */
export class NotFoundError extends InputError {
  override readonly name = 'NotFoundError';
}
