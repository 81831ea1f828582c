import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { PolicyGuard } from '../access/policy.guard';
import { RouteCoverageCheck } from '../access/route-coverage';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RateLimiter } from '../common/rate-limit/rate-limiter';
import { RateLimitGuard } from '../common/rate-limit/rate-limited.decorator';
import { AdminBootstrap } from './admin-bootstrap';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { CallerCache } from './caller-cache';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, resolveJwtSecret } from './jwt-secret';
import { JwtStrategy } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';

const jwtSecret = { provide: JWT_SECRET, inject: [APP_CONFIG], useFactory: (config: AppConfig) => resolveJwtSecret(config) };

/**
 * Sign-in, tokens and the two global guards: JwtAuthGuard (who is calling) then PolicyGuard
 * (may their role do this route's action). Registered in that order, they run in that order.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    PassportModule,
    JwtModule.registerAsync({
      extraProviders: [jwtSecret],
      inject: [JWT_SECRET, APP_CONFIG],
      useFactory: (secret: string, config: AppConfig) => ({
        secret,
        signOptions: { algorithm: JWT_ALGORITHM, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: config.jwtTtlSeconds },
        verifyOptions: { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    jwtSecret,
    CallerCache,
    JwtStrategy,
    PasswordHasher,
    RateLimiter,
    AuthService,
    AdminBootstrap,
    RouteCoverageCheck,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: PolicyGuard },
    // Third: @RateLimited routes count the (authorised) caller's calls.
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [PasswordHasher, RateLimiter, CallerCache],
})
export class AuthModule {}
