import { randomBytes } from 'node:crypto';
import { VaultError } from './errors.js';
import { LocalKeyring } from './kek.js';

const b64 = () => randomBytes(32).toString('base64');

describe('LocalKeyring', () => {
  it('wraps with the active (by default last listed) version and unwraps any configured one', async () => {
    const v1 = b64();
    const v2 = b64();
    const old = LocalKeyring.parse(`v1:${v1}`);
    const both = LocalKeyring.parse(`v1:${v1},v2:${v2}`);
    expect(both.activeVersion).toBe('v2');
    const dek = randomBytes(32);
    const wrappedOld = await old.wrap(dek, 't1');
    expect(wrappedOld.kekVersion).toBe('v1');
    expect((await both.unwrap(wrappedOld, 't1')).equals(dek)).toBe(true);
    const wrappedNew = await both.wrap(dek, 't1');
    expect(wrappedNew.kekVersion).toBe('v2');
  });

  it('binds a wrapped key to its tenant', async () => {
    const ring = LocalKeyring.parse(`v1:${b64()}`);
    const wrapped = await ring.wrap(randomBytes(32), 't1');
    await expect(ring.unwrap(wrapped, 't2')).rejects.toMatchObject({ code: 'decrypt_failed' });
  });

  it('says clearly when a retired version is needed', async () => {
    const v1 = b64();
    const wrapped = await LocalKeyring.parse(`v1:${v1}`).wrap(randomBytes(32), 't1');
    const retired = LocalKeyring.parse(`v2:${b64()}`);
    await expect(retired.unwrap(wrapped, 't1')).rejects.toThrow('key-encryption key "v1" is not configured (retired?)');
  });

  it.each([
    ['', 'no key-encryption key configured'],
    ['v1', 'each key must look like'],
    [`v1:${randomBytes(16).toString('base64')}`, 'must be 32 bytes'],
    [`V1!:${b64()}`, 'must match'],
    [`v1:${b64()},v1:${b64()}`, 'listed twice'],
  ])('rejects keyring %#', (spec, message) => {
    expect(() => LocalKeyring.parse(spec)).toThrow(VaultError);
    expect(() => LocalKeyring.parse(spec)).toThrow(message);
  });

  it('rejects an active version that is not configured', () => {
    expect(() => LocalKeyring.parse(`v1:${b64()}`, 'v9')).toThrow('active key version "v9" is not in the keyring');
  });
});
