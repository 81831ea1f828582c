import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { AuditEvent } from '../audit-event.entity';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'school' })
  @IsOptional()
  @Matches(/^[a-z][a-z-]{1,40}$/, { message: 'must be an entity type such as school or pupil' })
  entityType?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  entityId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  actorId?: string;

  @ApiPropertyOptional({ example: 'auth.login' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  action?: string;

  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'From this instant (inclusive); a date means its start' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-02-01T00:00:00Z', description: 'Before this instant (exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditEventView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: '2026-11-28T09:15:02.123Z' })
  at: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  actorId: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'admin@example.org' })
  actorEmail: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'ADMIN' })
  actorRole: string | null;

  @ApiProperty({ example: 'school.update' })
  action: string;

  @ApiProperty({ example: 'school' })
  entityType: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  entityId: string | null;

  @ApiProperty({ type: [String], example: ['name'] })
  changedFields: string[];

  @ApiProperty({ enum: ['SUCCESS', 'FAILURE'] })
  outcome: 'SUCCESS' | 'FAILURE';

  @ApiProperty({ nullable: true, type: String })
  requestId: string | null;

  @ApiProperty({ nullable: true, type: String, example: '127.0.0.1' })
  ip: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  schoolId: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  localityId: string | null;

  static of(event: AuditEvent): AuditEventView {
    return {
      id: event.id,
      at: event.at.toISOString(),
      actorId: event.actorId,
      actorEmail: event.actorEmail,
      actorRole: event.actorRole,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      changedFields: event.changedFields,
      outcome: event.outcome,
      requestId: event.requestId,
      ip: event.ip,
      schoolId: event.schoolId,
      localityId: event.localityId,
    };
  }
}

export class AuditEventPage extends PageOf(AuditEventView) {}
