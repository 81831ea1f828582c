import { Module } from '@nestjs/common';

/** Placeholder wiring: the users controller and service are added by the users feature. */
@Module({})
export class UsersModule {}
