import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../access/access.decorators';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { ProblemException } from '../common/problem/problem.exception';

class HealthView {
  @ApiProperty({ example: 'ok' })
  status: string;

  @ApiProperty({ example: 'up', required: false })
  database?: string;
}

/** Probes for load balancers and orchestrators: live = the process answers; ready = it can serve. No token. */
@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  @ApiOkResponse({ type: HealthView })
  live(): HealthView {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ type: HealthView })
  @ApiProblems('unavailable')
  async ready(): Promise<HealthView> {
    if (!this.dataSource.isInitialized || !(await this.databaseAnswers())) {
      throw new ProblemException('unavailable', 'the database is not reachable');
    }
    return { status: 'ok', database: 'up' };
  }

  private async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.min(this.config.databaseTimeoutMs, 2000));
    });
    try {
      return await Promise.race([this.dataSource.query('SELECT 1').then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
