import crypto from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Password hashing with scrypt, a memory-hard KDF (RFC 7914). The stored string is
 * self-describing, `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised
 * later without invalidating old hashes. N = 2^15, r = 8 uses 32 MiB per hash: the
 * OWASP Password Storage Cheat Sheet's minimum for scrypt is N = 2^17 at 128 MiB or
 * an equivalent trade, and 2^15/8/p=3 is one of its listed equivalents.
 */
const scrypt = promisify<crypto.BinaryLike, crypto.BinaryLike, number, crypto.ScryptOptions, Buffer>(crypto.scrypt);

const PARAMS = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
const MAX_PASSWORD_BYTES = 1024;

function maxmem(N: number, r: number): number {
  return 128 * N * r * 2;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const { N, r, p } = PARAMS;
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N, r, p, maxmem: maxmem(N, r) });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return null;
  const parsed = { N: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
  if (![parsed.N, parsed.r, parsed.p].every(Number.isSafeInteger) || parsed.key.length === 0) return null;
  return parsed;
}

/** A stand-in hash verified when the user is unknown, so timing does not reveal which usernames exist. */
const DUMMY = parseHash(`scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${Buffer.alloc(SALT_BYTES).toString('base64url')}$${Buffer.alloc(KEY_LENGTH).toString('base64url')}`);

/**
 * Verifies in constant time (crypto.timingSafeEqual). A null `stored` (unknown user,
 * no password set) still costs one scrypt, then fails.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = (stored === null ? null : parseHash(stored)) ?? DUMMY;
  if (!parsed || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
  const { N, r, p, salt, key } = parsed;
  const candidate = await scrypt(password.normalize('NFC'), salt, key.length, { N, r, p, maxmem: maxmem(N, r) });
  const equal = crypto.timingSafeEqual(candidate, key);
  return equal && stored !== null && parsed !== DUMMY;
}
