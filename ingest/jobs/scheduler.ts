import { cronSchedule, type Schedule } from './schedule';

export interface ScheduledJob {
  name: string;
  schedule: string;
}

export interface SchedulerOptions {
  /** Builds a Schedule from an expression (default croner). */
  schedule?: (expr: string) => Schedule;
  now?: () => Date;
  onError?: (job: string, e: unknown) => void;
}

export interface Scheduler {
  /** The next planned run of each job. */
  nextRuns(): Map<string, Date | null>;
  /** Stops planning runs and waits for the runs in progress to finish. */
  stop(): Promise<void>;
}

/** setTimeout's delay is a signed 32-bit number of ms; longer waits are re-planned. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Runs each job on its schedule, in the foreground process. A job never overlaps
 * itself: the next run is planned only after the current one ends, from the time it
 * ends (a run that overruns skips the ticks it missed instead of queueing them).
 */
export function startScheduler(jobs: readonly ScheduledJob[], run: (name: string) => Promise<unknown>, o: SchedulerOptions = {}): Scheduler {
  const make = o.schedule ?? cronSchedule;
  const now = o.now ?? (() => new Date());
  const timers = new Map<string, NodeJS.Timeout>();
  const planned = new Map<string, Date | null>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  const plan = (job: ScheduledJob, schedule: Schedule): void => {
    if (stopped) return;
    const at = schedule.next(now());
    planned.set(job.name, at);
    if (!at) return;
    const delay = Math.max(0, at.getTime() - now().getTime());
    const timer = setTimeout(() => {
      if (delay > MAX_DELAY || stopped) return plan(job, schedule);
      const p = run(job.name).catch((e: unknown) => o.onError?.(job.name, e));
      inFlight.add(p);
      void p.finally(() => {
        inFlight.delete(p);
        plan(job, schedule);
      });
    }, Math.min(delay, MAX_DELAY));
    timers.set(job.name, timer);
  };

  for (const job of jobs) plan(job, make(job.schedule));
  return {
    nextRuns: () => new Map(planned),
    stop: async () => {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      await Promise.allSettled([...inFlight]);
    },
  };
}
