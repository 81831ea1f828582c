import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '../../src/access/role';
import { PasswordHasher } from '../../src/auth/password-hasher';
import type { TestApp } from './test-app';

export const TEST_PASSWORD = 'correct-horse-battery-42';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  token: string;
  /** Authorization header value. */
  bearer: string;
}

export interface UserScope {
  schoolId?: string;
  localityId?: string;
  area?: string;
  organisationId?: string;
}

let passwordHash: Promise<string> | undefined;

/**
 * A user row written straight to the database (the users API has its own tests) and a token
 * signed by the app's own JwtService, so tests neither hash per user nor meet the login limit.
 */
export async function createUser(t: TestApp, role: Role, scope: UserScope = {}, email?: string): Promise<TestUser> {
  passwordHash ??= t.app.get(PasswordHasher).hash(TEST_PASSWORD);
  const address = email ?? `${role.toLowerCase()}-${randomUUID().slice(0, 8)}@example.org`;
  const [row] = await t.dataSource.query(
    `INSERT INTO app_user (email, name, role, school_id, locality_id, area, organisation_id, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, token_version`,
    [address, `Test ${role}`, role, scope.schoolId ?? null, scope.localityId ?? null, scope.area ?? null, scope.organisationId ?? null, await passwordHash],
  );
  const token = await t.app.get(JwtService).signAsync({ sub: row.id, tv: row.token_version });
  return { id: row.id, email: address, password: TEST_PASSWORD, role, token, bearer: `Bearer ${token}` };
}

/** Signs in through the API, as a client would. */
export async function login(t: TestApp, email: string, password: string): Promise<string> {
  const res = await t.http().post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}
