import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs read-only report queries (the dashboards, the SEN2 export) on a read replica when
 * DATABASE_READ_URLS is set (TypeORM picks one of its pools at random), else on the primary. Every
 * statement must go through the given manager: it is bound to that one connection. Only for reads
 * that may lag the primary by the replication delay (a report, not a caller's own just-written
 * data); writes, transactions and every other read stay on the primary (defaultMode 'master' in
 * data-source.ts).
 */
export async function readOnReplica<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner('slave');
  try {
    return await work(runner.manager);
  } finally {
    await runner.release();
  }
}
