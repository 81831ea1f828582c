import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig, ConfigError } from '../config/app-config';
import { PasswordHasher } from './password-hasher';
import { passwordProblem } from './password-policy';

/** On first start, creates the administrator from ADMIN_EMAIL/ADMIN_PASSWORD if none exists. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (!adminEmail || !adminPassword) return;
    const problem = passwordProblem(adminPassword, { email: adminEmail });
    if (problem) throw new ConfigError('ADMIN_PASSWORD', problem);
    await this.dataSource.transaction(async (manager) => {
      const [{ admins }] = await manager.query(`SELECT count(*)::int AS admins FROM app_user WHERE role = 'ADMIN' AND active`);
      if (admins > 0) return;
      const [created] = await manager.query(
        `INSERT INTO app_user (email, name, role, password_hash) VALUES ($1, 'Administrator', 'ADMIN', $2)
         ON CONFLICT DO NOTHING RETURNING id`,
        [adminEmail, await this.hasher.hash(adminPassword)],
      );
      if (!created) return;
      await this.audit.record(manager, { system: 'first-start' }, { action: 'user.create', entityType: 'user', entityId: created.id, changedFields: ['email', 'name', 'role', 'password'] });
      this.logger.log(`created the first administrator ${adminEmail}`);
    });
  }
}
