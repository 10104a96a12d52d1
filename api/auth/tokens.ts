import crypto from 'node:crypto';

/**
 * API and session tokens: 32 random bytes, base64url (256 bits, OWASP Session
 * Management: at least 64 bits of entropy). Only the SHA-256 is stored, so a copy of
 * the database does not hold usable credentials; a fast hash is enough because the
 * token itself is high-entropy (no dictionary to try).
 */
const TOKEN_BYTES = 32;

export function newToken(): string {
  return crypto.randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token we could have issued: base64url of 32 bytes. Anything else is refused before a lookup. */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
