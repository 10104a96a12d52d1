import { Cron } from 'croner';

/**
 * When a job runs next. The scheduler only sees this interface, so the cron library
 * (croner: 5-field cron, or 6 fields with seconds) can be swapped.
 */
export interface Schedule {
  next(after: Date): Date | null;
}

export function cronSchedule(expr: string): Schedule {
  const cron = new Cron(expr, { paused: true });
  return { next: (after) => cron.nextRun(after) };
}

/** Why an expression is not valid cron, or null when it is. */
export function cronError(expr: string): string | null {
  try {
    const cron = new Cron(expr, { paused: true });
    cron.stop();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
