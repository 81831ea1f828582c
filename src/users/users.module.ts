import { Module } from '@nestjs/common';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Accounts (ADMIN). PasswordHasher comes from the global AuthModule, AuditService from the global AuditModule. */
@Module({ controllers: [UsersController], providers: [UsersService] })
export class UsersModule {}
