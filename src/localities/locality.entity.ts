import { Column, Entity } from 'typeorm';
import { VersionedRecord } from '../database/versioned-record';

/**
 * A locality (in Kent, a Community of Schools on an NHS Primary Care Network footprint).
 * Area and district are names, not codes in our program: the hierarchy is data.
 */
@Entity('locality')
export class Locality extends VersionedRecord {
  @Column()
  code: string;

  @Column()
  name: string;

  @Column()
  area: string;

  @Column()
  district: string;
}
