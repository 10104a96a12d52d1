/**
 * Resolves with the first SIGINT or SIGTERM, then stops listening: the long-running
 * commands (serve, demo, jobs start) stop on either and close what they opened.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
