import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import { VersionedRecord } from '../database/versioned-record';

/** A locality panel's meeting (a Community of Schools meeting): date, chair and attendees as minuted. */
@Entity('panel_meeting')
export class PanelMeeting extends VersionedRecord {
  @Column('uuid')
  localityId: string;

  @Column('date')
  meetingOn: CalendarDate;

  /** The chair's name as minuted. */
  @Column('text')
  chair: string;

  /** Attendees' names as minuted (a JSON array of strings). */
  @Column('jsonb')
  attendees: string[];

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}

/** An interest a PANEL member declared at a meeting in one school of the locality. */
@Entity('panel_meeting_interest')
export class PanelMeetingInterest {
  @PrimaryColumn('uuid')
  meetingId: string;

  @PrimaryColumn('uuid')
  userId: string;

  @PrimaryColumn('uuid')
  schoolId: string;
}
