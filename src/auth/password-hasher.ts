import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): strong, and cheap enough
 * on a 2-core box that sign-ins do not queue. argon2 0.45 ships prebuilt binaries for Node 20.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher {
  // A fixed hash to verify against when the account does not exist, so timing does not tell.
  private readonly decoy = argon2.hash(randomBytes(16).toString('hex'), OPTIONS);

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash ?? (await this.decoy), password);
    } catch {
      return false;
    }
  }

  /** A temporary password an administrator reads out once: 20 characters, no look-alikes. */
  temporaryPassword(): string {
    const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    const bytes = randomBytes(20);
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  }
}
