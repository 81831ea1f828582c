import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProblemException } from '../common/problem/problem.exception';
import { RateLimiter } from '../common/rate-limit/rate-limiter';
import { UserView } from '../users/dto/user.view';
import { User } from '../users/user.entity';
import { TokenView } from './dto/auth.dto';
import { callerOf, TokenClaims } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';
import { passwordProblem } from './password-policy';

/** The one answer to every failed sign-in: it never says whether the email exists or is locked. */
const SIGN_IN_FAILED = 'the email or password is not right, or the account cannot sign in now';

export interface RequestOrigin {
  ip?: string;
  requestId?: string;
}

type Attempt = { ok: true; user: User } | { ok: false };

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string, origin: RequestOrigin): Promise<TokenView> {
    await this.rateLimiter.hit(`login:${origin.ip ?? 'unknown'}`, this.config.loginRateLimitPerMinute, 60);
    const attempt = await this.dataSource.transaction((manager) => this.attempt(manager, email.toLowerCase(), password, origin));
    if (!attempt.ok) throw new ProblemException('unauthenticated', SIGN_IN_FAILED);
    return this.issueToken(attempt.user);
  }

  /** Records the attempt's outcome (counters, lockout, audit) and commits it even when it fails. */
  private async attempt(manager: EntityManager, email: string, password: string, origin: RequestOrigin): Promise<Attempt> {
    const user = await manager
      .getRepository(User)
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('lower(user.email) = :email', { email })
      .setLock('pessimistic_write')
      .getOne();
    const passwordOk = await this.hasher.verify(user?.passwordHash, password);
    const anonymous = { system: 'sign-in', ...origin };
    const actor = user ? { ...callerOf(user), ...origin } : anonymous;
    const auditAttempt = (outcome: 'SUCCESS' | 'FAILURE', action = 'auth.login') =>
      this.audit.record(manager, actor, {
        action,
        entityType: 'auth',
        entityId: user?.id ?? null,
        outcome,
        attemptedEmail: user ? undefined : email,
      });

    if (!user || !user.active) {
      await auditAttempt('FAILURE');
      return { ok: false };
    }
    const now = new Date();
    if (user.lockedUntil && user.lockedUntil > now) {
      await auditAttempt('FAILURE');
      return { ok: false };
    }
    if (!passwordOk) {
      const failures = user.failedLogins + 1;
      const locks = failures >= this.config.lockoutThreshold;
      await manager.update(User, user.id, {
        failedLogins: locks ? 0 : failures,
        lockedUntil: locks ? new Date(now.getTime() + this.config.lockoutMinutes * 60_000) : user.lockedUntil,
      });
      await auditAttempt('FAILURE');
      if (locks) await auditAttempt('SUCCESS', 'auth.lockout');
      return { ok: false };
    }
    if (user.failedLogins !== 0 || user.lockedUntil) {
      await manager.update(User, user.id, { failedLogins: 0, lockedUntil: null });
      user.failedLogins = 0;
      user.lockedUntil = null;
    }
    await auditAttempt('SUCCESS');
    return { ok: true, user };
  }

  async me(caller: Caller): Promise<UserView> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id: caller.userId });
    if (!user) throw ProblemException.notFound('user');
    return UserView.of(user);
  }

  /** Changes the caller's own password; older tokens stop working, so a fresh one is returned. */
  async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<TokenView> {
    const user = await this.dataSource.transaction(async (manager) => {
      const found = await manager
        .getRepository(User)
        .createQueryBuilder('user')
        .addSelect('user.passwordHash')
        .where('user.id = :id', { id: caller.userId })
        .setLock('pessimistic_write')
        .getOne();
      if (!found) throw ProblemException.notFound('user');
      if (!(await this.hasher.verify(found.passwordHash, currentPassword))) {
        throw ProblemException.invalidField('currentPassword', 'is not your current password');
      }
      const problem = passwordProblem(newPassword, { email: found.email });
      if (problem) throw ProblemException.invalidField('newPassword', problem);
      if (await this.hasher.verify(found.passwordHash, newPassword)) {
        throw ProblemException.invalidField('newPassword', 'must differ from the current password');
      }
      const changes = {
        passwordHash: await this.hasher.hash(newPassword),
        mustChangePassword: false,
        passwordChangedAt: new Date(),
        tokenVersion: found.tokenVersion + 1,
      };
      await manager.update(User, found.id, changes);
      await this.audit.record(manager, caller, {
        action: 'auth.password-change',
        entityType: 'user',
        entityId: found.id,
        changedFields: ['password'],
      });
      return Object.assign(found, changes);
    });
    return this.issueToken(user);
  }

  private async issueToken(user: User): Promise<TokenView> {
    const claims: TokenClaims = { sub: user.id, tv: user.tokenVersion };
    const accessToken = await this.jwt.signAsync(claims);
    return { accessToken, expiresIn: this.config.jwtTtlSeconds, user: UserView.of(user) };
  }
}
