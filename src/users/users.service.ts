import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import type { Role } from '../access/role';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { AuditService, changedFields } from '../audit/audit.service';
import { CallerCache } from '../auth/caller-cache';
import { PasswordHasher } from '../auth/password-hasher';
import { passwordProblem } from '../auth/password-policy';
import { assertVersion } from '../common/concurrency/expected-version';
import { Page, paginate } from '../common/pagination/paginate';
import type { FieldError } from '../common/problem/problem-type';
import { ProblemException } from '../common/problem/problem.exception';
import { escapeLike } from '../common/sql/escape-like';
import { CreateUserDto, ResetPasswordView, UpdateUserDto, UserQueryDto, UserView } from './dto/user.dto';
import { User } from './user.entity';

/** The scope fields of an account: which one a role takes is the app_user_scope CHECK. */
export interface UserScopeFields {
  schoolId: string | null;
  localityId: string | null;
  area: string | null;
  organisationId: string | null;
}

type ScopeField = keyof UserScopeFields;
const SCOPE_FIELDS: readonly ScopeField[] = ['schoolId', 'localityId', 'area', 'organisationId'];

/** Per role: the scope field it must have, and the ones it may have (mirrors app_user_scope). */
const ROLE_SCOPE: Record<Role, { required?: ScopeField; allowed: readonly ScopeField[] }> = {
  SENCO: { required: 'schoolId', allowed: ['schoolId'] },
  PANEL: { required: 'localityId', allowed: ['localityId'] },
  PROVIDER: { required: 'organisationId', allowed: ['organisationId'] },
  CASEWORKER: { allowed: ['localityId', 'area'] },
  MANAGER: { allowed: ['localityId', 'area'] },
  ADMIN: { allowed: [] },
};

/**
 * What is wrong with a role and scope combination, field by field: checked before the write so
 * the client gets a 400 naming the field rather than the database's CHECK name.
 */
export function scopeProblems(role: Role, scope: UserScopeFields): FieldError[] {
  const rule = ROLE_SCOPE[role];
  const errors: FieldError[] = [];
  if (rule.required && !scope[rule.required]) errors.push({ field: rule.required, message: `is required for the ${role} role` });
  for (const field of SCOPE_FIELDS) {
    if (scope[field] !== null && !rule.allowed.includes(field)) errors.push({ field, message: `is not used by the ${role} role` });
  }
  if (rule.allowed.includes('localityId') && rule.allowed.includes('area') && scope.localityId && scope.area) {
    const message = `give localityId or area, not both: a ${role} covers one locality, one area, or the county (neither)`;
    errors.push({ field: 'localityId', message }, { field: 'area', message });
  }
  return errors;
}

/** Where an account sits, for scoped reads of accounts (the policy table decides who has which). */
const USER_SCOPE_COLUMNS: ScopeColumns = {
  schoolId: 'user.school_id',
  localityId: 'user.locality_id',
  area: 'user.area',
  organisationId: 'user.organisation_id',
  userId: 'user.id',
};

/** Fields of an account whose change is audited; the hash is recorded as 'password', never by value. */
type AuditedChanges = Partial<Pick<User, 'email' | 'name' | 'role' | 'active' | ScopeField | 'mustChangePassword' | 'failedLogins' | 'lockedUntil'>>;

/** Accounts (ADMIN): created, changed, deactivated, reset and unlocked here; never deleted. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly callers: CallerCache,
  ) {}

  async list(scope: ScopeFilter, query: UserQueryDto): Promise<Page<UserView>> {
    const qb = this.dataSource.getRepository(User).createQueryBuilder('user');
    applyScope(qb, scope, USER_SCOPE_COLUMNS);
    if (query.role) qb.andWhere('user.role = :role', { role: query.role });
    if (query.active !== undefined) qb.andWhere('user.active = :active', { active: query.active });
    if (query.schoolId) qb.andWhere('user.school_id = :schoolId', { schoolId: query.schoolId });
    if (query.localityId) qb.andWhere('user.locality_id = :localityId', { localityId: query.localityId });
    if (query.area) qb.andWhere('user.area = :area', { area: query.area });
    if (query.organisationId) qb.andWhere('user.organisation_id = :organisationId', { organisationId: query.organisationId });
    if (query.q) {
      qb.andWhere('(user.email LIKE :prefix OR lower(user.name) LIKE :prefix)', {
        prefix: `${escapeLike(query.q.trim().toLowerCase())}%`,
      });
    }
    const page = await paginate(qb, query, {
      sortable: { name: 'user.name', email: 'user.email' },
      defaultSort: 'name',
      idColumn: 'user.id',
    });
    return { data: page.data.map(UserView.of), nextCursor: page.nextCursor };
  }

  async get(scope: ScopeFilter, id: string): Promise<UserView> {
    return UserView.of(await this.findInScope(this.dataSource.manager, scope, id, false));
  }

  async create(caller: Caller, dto: CreateUserDto): Promise<UserView> {
    const scope: UserScopeFields = {
      schoolId: dto.schoolId ?? null,
      localityId: dto.localityId ?? null,
      area: dto.area ?? null,
      organisationId: dto.organisationId ?? null,
    };
    const errors = scopeProblems(dto.role, scope);
    const weak = passwordProblem(dto.password, { email: dto.email, name: dto.name });
    if (weak) errors.push({ field: 'password', message: weak });
    if (errors.length) throw ProblemException.validation(errors);
    // Hashing is deliberately slow: do it before the transaction holds a connection.
    const passwordHash = await this.hasher.hash(dto.password);

    return this.dataSource.transaction(async (manager) => {
      await this.assertScopeExists(manager, scope, SCOPE_FIELDS);
      const user = await manager.save(
        manager.create(User, {
          email: dto.email,
          name: dto.name,
          role: dto.role,
          ...scope,
          active: dto.active ?? true,
          passwordHash,
          mustChangePassword: false,
          passwordChangedAt: new Date(),
          failedLogins: 0,
          lockedUntil: null,
          tokenVersion: 1,
        }),
      );
      const fields = ['email', 'name', 'role', 'password', ...SCOPE_FIELDS.filter((f) => scope[f] !== null)];
      if (!user.active) fields.push('active');
      await this.audit.record(manager, caller, {
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        changedFields: fields.sort(),
        place: scope,
      });
      return UserView.of(user);
    });
  }

  async update(caller: Caller, scope: ScopeFilter, id: string, version: number, dto: UpdateUserDto): Promise<UserView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const user = await this.findInScope(manager, scope, id, true);
      assertVersion('user', user.version, version);
      const { version: _ignored, ...requested } = dto;
      const changes: AuditedChanges = requested;

      const role = changes.role ?? user.role;
      const after: UserScopeFields = {
        schoolId: changes.schoolId !== undefined ? changes.schoolId : user.schoolId,
        localityId: changes.localityId !== undefined ? changes.localityId : user.localityId,
        area: changes.area !== undefined ? changes.area : user.area,
        organisationId: changes.organisationId !== undefined ? changes.organisationId : user.organisationId,
      };
      const errors = scopeProblems(role, after);
      if (user.id === caller.userId) {
        // The system must never be left without an administrator by accident.
        if (changes.active === false) errors.push({ field: 'active', message: 'you cannot deactivate your own account' });
        if (changes.role !== undefined && changes.role !== 'ADMIN') {
          errors.push({ field: 'role', message: 'you cannot remove the ADMIN role from your own account' });
        }
      }
      if (errors.length) throw ProblemException.validation(errors);

      const fields = changedFields(user, changes);
      if (fields.length === 0) return UserView.of(user);
      await this.assertScopeExists(
        manager,
        after,
        SCOPE_FIELDS.filter((f) => fields.includes(f)),
      );

      const deactivating = user.active && changes.active === false;
      // A deactivated account's tokens stop working at once (the JWT strategy compares token_version).
      const merged = manager.merge<User>(User, user, changes as Partial<User>);
      if (deactivating) merged.tokenVersion = user.tokenVersion + 1;
      const saved = await manager.save(merged);
      await this.audit.record(manager, caller, {
        action: deactivating ? 'user.deactivate' : 'user.update',
        entityType: 'user',
        entityId: user.id,
        changedFields: fields,
        place: after,
      });
      return UserView.of(saved);
    });
    this.callers.evict(id); // committed: this instance's next request reads the new row
    return view;
  }

  /**
   * Gives the account a one-time temporary password: it must be changed at the next sign-in,
   * the account's existing tokens stop working, and any lockout is cleared. `version`, when the
   * client sent one, must be the account's current version.
   */
  async resetPassword(caller: Caller, scope: ScopeFilter, id: string, version?: number): Promise<ResetPasswordView> {
    const temporaryPassword = this.hasher.temporaryPassword();
    const passwordHash = await this.hasher.hash(temporaryPassword);
    const user = await this.dataSource.transaction(async (manager) => {
      const found = await this.findInScope(manager, scope, id, true);
      if (version !== undefined) assertVersion('user', found.version, version);
      const changes = { mustChangePassword: true, failedLogins: 0, lockedUntil: null };
      const fields = ['password', ...changedFields<AuditedChanges>(found, changes)].sort();
      await manager.update(User, found.id, {
        ...changes,
        passwordHash,
        passwordChangedAt: new Date(),
        tokenVersion: found.tokenVersion + 1,
      });
      await this.audit.record(manager, caller, {
        action: 'user.reset-password',
        entityType: 'user',
        entityId: found.id,
        changedFields: fields,
        place: found,
      });
      return this.findInScope(manager, scope, id, false);
    });
    this.callers.evict(user.id);
    return { temporaryPassword, user: UserView.of(user) };
  }

  /** Clears a lockout and the failed sign-in count. */
  async unlock(caller: Caller, scope: ScopeFilter, id: string, version?: number): Promise<UserView> {
    const user = await this.dataSource.transaction(async (manager) => {
      const found = await this.findInScope(manager, scope, id, true);
      if (version !== undefined) assertVersion('user', found.version, version);
      const changes = { failedLogins: 0, lockedUntil: null };
      const fields = changedFields<AuditedChanges>(found, changes);
      if (fields.length > 0) await manager.update(User, found.id, changes);
      // An explicit administrator action: recorded even when there was nothing to clear.
      await this.audit.record(manager, caller, {
        action: 'user.unlock',
        entityType: 'user',
        entityId: found.id,
        changedFields: fields,
        place: found,
      });
      return fields.length > 0 ? this.findInScope(manager, scope, id, false) : found;
    });
    return UserView.of(user);
  }

  /** The account, if the caller's scope reaches it; otherwise 404 (never reveal it exists). */
  private async findInScope(manager: EntityManager, scope: ScopeFilter, id: string, lock: boolean): Promise<User> {
    const qb = manager.getRepository(User).createQueryBuilder('user').where('user.id = :id', { id });
    applyScope(qb, scope, USER_SCOPE_COLUMNS);
    if (lock) qb.setLock('pessimistic_write');
    const user = await qb.getOne();
    if (!user) throw ProblemException.notFound('user');
    return user;
  }

  /**
   * Ids and the area in a body must exist (API.md: "unknown school" is a 400 on that field),
   * checked inside the write's transaction; the foreign keys remain the last guard.
   */
  private async assertScopeExists(manager: EntityManager, scope: UserScopeFields, fields: readonly ScopeField[]): Promise<void> {
    const checks: Record<ScopeField, { sql: string; message: string }> = {
      schoolId: { sql: 'SELECT 1 FROM school WHERE id = $1', message: 'unknown school' },
      localityId: { sql: 'SELECT 1 FROM locality WHERE id = $1', message: 'unknown locality' },
      area: { sql: 'SELECT 1 FROM locality WHERE area = $1 LIMIT 1', message: 'unknown area' },
      organisationId: { sql: 'SELECT 1 FROM organisation WHERE id = $1', message: 'unknown organisation' },
    };
    const errors: FieldError[] = [];
    for (const field of fields) {
      const value = scope[field];
      if (value === null) continue;
      const rows: unknown[] = await manager.query(checks[field].sql, [value]);
      if (rows.length === 0) errors.push({ field, message: checks[field].message });
    }
    if (errors.length) throw ProblemException.validation(errors);
  }
}
