import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { expectedVersion, IfMatchVersion, optionalVersion } from '../common/concurrency/expected-version';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { CreateUserDto, ResetPasswordView, UpdateUserDto, UserCommandDto, UserPage, UserQueryDto, UserView } from './dto/user.dto';
import { UsersService } from './users.service';

/** The version a command was sent with, if any: the body's or If-Match (they must agree). */
/** Accounts (ADMIN). No DELETE: an account is deactivated (`active: false`) so the audit trail stays whole. */
@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Can('users.read')
  @ApiOkResponse({ type: UserPage })
  @ApiProblems('validation')
  list(@CallerScope() scope: ScopeFilter, @Query() query: UserQueryDto) {
    return this.users.list(scope, query);
  }

  @Post()
  @Can('users.write')
  @ApiCreatedResponse({ type: UserView })
  @ApiProblems('validation', 'duplicate')
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateUserDto) {
    return this.users.create(caller, dto);
  }

  @Get(':id')
  @Can('users.read')
  @ApiOkResponse({ type: UserView })
  @ApiProblems('validation', 'not-found')
  get(@CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.users.get(scope, id);
  }

  @Patch(':id')
  @Can('users.write')
  @ApiOperation({ summary: 'Change an account; `active: false` deactivates it and ends its sessions' })
  @ApiOkResponse({ type: UserView })
  @ApiProblems('validation', 'not-found', 'stale-version', 'duplicate')
  update(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateUserDto,
    @IfMatchVersion() ifMatch?: number,
  ) {
    return this.users.update(caller, scope, id, expectedVersion(dto.version, ifMatch), dto);
  }

  @Post(':id/reset-password')
  @Can('users.write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue a one-time temporary password',
    description: 'The user must change it at the next sign-in; the account’s existing tokens stop working and any lockout is cleared.',
  })
  @ApiBody({ type: UserCommandDto, required: false })
  @ApiOkResponse({ type: ResetPasswordView })
  @ApiProblems('validation', 'not-found', 'stale-version')
  resetPassword(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UserCommandDto,
    @IfMatchVersion() ifMatch?: number,
  ) {
    return this.users.resetPassword(caller, scope, id, optionalVersion(dto.version, ifMatch));
  }

  @Post(':id/unlock')
  @Can('users.write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Clear a lockout after repeated failed sign-ins' })
  @ApiBody({ type: UserCommandDto, required: false })
  @ApiOkResponse({ type: UserView })
  @ApiProblems('validation', 'not-found', 'stale-version')
  unlock(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UserCommandDto,
    @IfMatchVersion() ifMatch?: number,
  ) {
    return this.users.unlock(caller, scope, id, optionalVersion(dto.version, ifMatch));
  }
}
