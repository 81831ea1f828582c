import type { EntityManager } from 'typeorm';

/**
 * Runs an UPDATE or DELETE ... RETURNING and gives back its rows. TypeORM's postgres driver
 * answers such statements with [rows, rowCount] where other statements answer rows.
 */
export async function updateReturning<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await manager.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
