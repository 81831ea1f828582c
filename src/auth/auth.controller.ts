import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Can, CurrentCaller, Public } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UserView } from '../users/dto/user.view';
import { AuthService } from './auth.service';
import { ChangePasswordDto, LoginDto, TokenView } from './dto/auth.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenView })
  @ApiProblems('validation', 'unauthenticated', 'rate-limited')
  login(@Body() dto: LoginDto, @Req() request: FastifyRequest) {
    return this.auth.login(dto.email, dto.password, { ip: request.ip, requestId: request.id });
  }

  @Get('me')
  @Can('self.read')
  @ApiOkResponse({ type: UserView })
  me(@CurrentCaller() caller: Caller) {
    return this.auth.me(caller);
  }

  @Post('change-password')
  @Can('self.write')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenView, description: 'A fresh token: tokens issued before the change stop working' })
  @ApiProblems('validation')
  changePassword(@CurrentCaller() caller: Caller, @Body() dto: ChangePasswordDto) {
    return this.auth.changePassword(caller, dto.currentPassword, dto.newPassword);
  }
}
