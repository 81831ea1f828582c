import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AccessLogWriter } from './access-log-writer';
import { AuditService } from './audit.service';

/** Global: every feature's use cases write to the one trail. */
@Global()
@Module({ controllers: [AuditController], providers: [AuditService, AccessLogWriter], exports: [AuditService, AccessLogWriter] })
export class AuditModule {}
