#!/usr/bin/env -S npx tsx
import { Command, CommanderError } from 'commander';
import { createContext } from './context';
import { ConfigurationError, EXIT, FailureError, UsageError } from './errors';
import { registerCommands } from './commands/index';

/** The CLI (docs/cli.md): thin; it parses flags and calls modules. */
async function main(argv: string[]): Promise<number> {
  const program = new Command('iop')
    .description('IOP Outcomes: ingest, warehouse, metrics and dashboard for Intensive Outpatient Programs')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const ctx = createContext();
  registerCommands(program, ctx);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof FailureError || e instanceof ConfigurationError) {
      process.stderr.write(`iop: ${e.message}\n`);
      return e.exitCode;
    }
    ctx.log.error({ err: e }, 'command failed');
    process.stderr.write(`iop: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failure;
  }
}

const code = await main(process.argv);
process.exit(code);
