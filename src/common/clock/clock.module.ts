import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';

/**
 * The one source of "now" for every feature (inject `Clock`). Global, so features need not
 * import it; tests replace it with `.overrideProvider(Clock).useValue(new FixedClock(...))`.
 */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }],
  exports: [Clock],
})
export class ClockModule {}
