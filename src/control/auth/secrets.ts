// Access-key secrets at rest: HMAC needs the secret itself, so it is stored encrypted
// (AES-256-GCM) under the server's master key, never in the clear and never logged.
// Every server of one PostgreSQL database must use the same master key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class MasterKey {
  private constructor(private readonly key: Buffer) {}

  /** From PALISADE_MASTER_KEY (base64, 32 bytes) or the key file, created on first start. */
  static load(env: string | undefined, file: string): MasterKey {
    if (env) return MasterKey.fromBase64(env, 'PALISADE_MASTER_KEY');
    if (existsSync(file)) return MasterKey.fromBase64(readFileSync(file, 'utf8').trim(), file);
    mkdirSync(dirname(file), { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return new MasterKey(key);
  }

  static fromBase64(text: string, source: string): MasterKey {
    const key = Buffer.from(text, 'base64');
    if (key.length !== 32) throw new Error(`${source}: the master key must be 32 bytes in base64`);
    return new MasterKey(key);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      data.toString('base64'),
    ].join(':');
  }

  /** The plain text, or undefined when this key did not seal it (or the text is damaged). */
  tryDecrypt(sealed: string): string | undefined {
    try {
      return this.decrypt(sealed);
    } catch {
      return undefined;
    }
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1') throw new Error('unknown secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}
