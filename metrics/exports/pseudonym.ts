import crypto from 'node:crypto';
import { CASEID_HEX_DIGITS, EXPORT_SECRET_MIN_LENGTH } from './teds-d-codes';

/**
 * The CASEID pseudonym of the TEDS-D extract (docs/funder-reporting.md "TEDS-D discharge
 * extract"; docs/security.md "Export pseudonyms"): the first 16 lower-case hex digits of
 * HMAC-SHA256 (RFC 2104, FIPS 198-1) of the episode id, keyed by IOP_EXPORT_SECRET. The
 * same secret gives the same CASEID for an episode in every extract, so a funder can
 * link a resubmitted record; without the secret the id cannot be recovered or confirmed.
 * The HMAC runs here, in Node: the secret never travels to PostgreSQL, where a bind
 * parameter can end up in the server log.
 */

/** Why an export cannot run: no secret configured, or one too short to resist guessing. */
export class ExportSecretError extends Error {
  override name = 'ExportSecretError';
}

/** The configured secret, checked; throws ExportSecretError with what to do. */
export function checkedSecret(secret: string | undefined): string {
  if (secret === undefined || secret === '') {
    throw new ExportSecretError(
      'The TEDS-D export needs a pseudonym secret and none is configured: set IOP_EXPORT_SECRET to a random value of at least '
      + `${EXPORT_SECRET_MIN_LENGTH} characters (for example the output of \`openssl rand -hex 32\`), the same for every export (docs/security.md "Export pseudonyms")`,
    );
  }
  if (secret.length < EXPORT_SECRET_MIN_LENGTH) {
    throw new ExportSecretError(
      `IOP_EXPORT_SECRET is ${secret.length} characters long; the TEDS-D export needs at least ${EXPORT_SECRET_MIN_LENGTH} `
      + '(for example the output of `openssl rand -hex 32`; docs/security.md "Export pseudonyms")',
    );
  }
  return secret;
}

/** The CASEID of an episode id under a secret (an already checked one). */
export function caseIdFor(secret: string): (episodeId: string) => string {
  const key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
  return (episodeId) => crypto.createHmac('sha256', key).update(episodeId, 'utf8').digest().toString('hex', 0, CASEID_HEX_DIGITS / 2);
}

/**
 * The seed of the extract's row order, derived from the secret (HMAC of a fixed label, so
 * it reveals nothing about the secret). Rows are written in a keyed shuffle: an order by
 * id or by date would tell the reader which row is which episode, or its discharge date
 * to the day, where the extract states only the year. A signed 64-bit integer as text.
 */
export function rowOrderSeed(secret: string): string {
  return crypto.createHmac('sha256', secret).update('teds-d row order', 'utf8').digest().readBigInt64BE(0).toString();
}
