import pino, { type Logger } from 'pino';
import { codeExtractRowsAfterIngest } from '../metrics/exports/teds-d';
import { loadConfig, type Config } from '../warehouse/config';
import { openWarehouse, type Warehouse } from '../warehouse/db';

/**
 * What every command gets: the parsed config, a logger on stderr (stdout is reserved
 * for the command's output, docs/cli.md) and a way to open the warehouse.
 */
export interface CliContext {
  readonly config: Config;
  readonly log: Logger;
  /** Opens (and migrates) the warehouse; the caller closes it. */
  openWarehouse(poolSize?: number): Promise<Warehouse>;
  /** Writes the command's result to stdout. */
  out(text: string): void;
}

export function createContext(): CliContext {
  const config = loadConfig();
  const log = pino({ level: config.logLevel, base: undefined }, pino.destination(2));
  // Every ingest of this process (the CLI's, or the API's under `iop serve`) codes the TEDS-D
  // rows it leaves pending, when a secret is configured (docs/funder-reporting.md).
  codeExtractRowsAfterIngest(config.exportSecret);
  return {
    config,
    log,
    openWarehouse: (poolSize) => openWarehouse(config, (m) => log.info(m), poolSize),
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

/** Runs `fn` with an open warehouse and always closes it (and a started embedded server). */
export async function withWarehouse<T>(ctx: CliContext, fn: (wh: Warehouse) => Promise<T>, poolSize?: number): Promise<T> {
  const wh = await ctx.openWarehouse(poolSize);
  try {
    return await fn(wh);
  } finally {
    await wh.close();
  }
}
