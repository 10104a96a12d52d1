/** Exit codes of the CLI contract (docs/cli.md). */
export const EXIT = { ok: 0, failure: 2, usage: 64, config: 78 } as const;

/** A bad flag, filter or argument: exit 64 with the message, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = EXIT.usage;
}

/** A whole-file or whole-command failure: exit 2, nothing applied. */
export class FailureError extends Error {
  override name = 'FailureError';
  readonly exitCode = EXIT.failure;
}

/**
 * The command cannot run as the process is configured (sysexits EX_CONFIG, 78): a setting
 * it needs is missing or unusable, such as IOP_EXPORT_SECRET for `iop export teds-d`.
 */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
  readonly exitCode = EXIT.config;
}
