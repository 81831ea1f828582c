import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { VersionedView } from '../../database/versioned-record';
import type { PanelMeeting } from '../panel-meeting.entity';

export const MAX_NAME_LENGTH = 200;
export const MAX_ATTENDEES = 50;
export const MAX_INTERESTS = 100;

const NOT_BLANK = /\S/;
const notBlank = { message: 'must not be blank' };
/** Ids compare as uuids in SQL; echo them back the way every read shows them. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class DeclaredInterestDto {
  @ApiProperty({ format: 'uuid', description: 'A PANEL member of the meeting’s locality (GET /users ids; else 400 on this field)' })
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  userId: string;

  @ApiProperty({ format: 'uuid', description: 'A school of the meeting’s locality in which the member declared an interest (else 400)' })
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  schoolId: string;
}

export class CreatePanelMeetingDto {
  @ApiProperty({ format: 'uuid', description: 'PANEL: their own locality (else 400 on localityId)' })
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId: string;

  @ApiProperty({ format: 'date', example: '2026-12-03', description: 'The meeting date: past (minuting one held) or upcoming' })
  @IsCalendarDate()
  meetingOn: CalendarDate;

  @ApiProperty({ maxLength: MAX_NAME_LENGTH, example: 'Helen Okafor', description: 'The chair’s name as minuted (free text)' })
  @Transform(trimmed)
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(MAX_NAME_LENGTH)
  chair: string;

  @ApiProperty({
    type: [String],
    maxItems: MAX_ATTENDEES,
    example: ['Helen Okafor', 'Priya Shah (SENCO, Oakfield Primary)', 'Jo Barker (STLS)'],
    description: 'Attendees’ names as minuted (free text, each 1-200 characters); an attendee need not hold an account',
  })
  @IsArray()
  @ArrayMaxSize(MAX_ATTENDEES)
  @IsString({ each: true })
  @Matches(NOT_BLANK, { each: true, message: 'each attendee must not be blank' })
  @MaxLength(MAX_NAME_LENGTH, { each: true })
  attendees: string[];

  @ApiProperty({
    type: [DeclaredInterestDto],
    maxItems: MAX_INTERESTS,
    description:
      'Interests declared at the meeting: a PANEL member of the locality and a school of the locality. A decision taken at this ' +
      'meeting by that member on a request of that school is refused (409 /problems/conflict-of-interest). An unknown or ' +
      'out-of-locality id is 400 on declaredInterests.<i>.userId or .schoolId; a repeated pair is 400 too.',
  })
  @IsArray()
  @ArrayMaxSize(MAX_INTERESTS)
  @ValidateNested({ each: true })
  @Type(() => DeclaredInterestDto)
  declaredInterests: DeclaredInterestDto[];
}

export class PanelMeetingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['meetingOn', '-meetingOn'], default: '-meetingOn', description: 'Latest meeting first by default' })
  declare sort?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Meetings on or after this day' })
  @IsOptional()
  @IsCalendarDate()
  from?: CalendarDate;

  @ApiPropertyOptional({ format: 'date', description: 'Meetings on or before this day' })
  @IsOptional()
  @IsCalendarDate()
  to?: CalendarDate;
}

export class DeclaredInterestView {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ format: 'uuid' })
  schoolId: string;
}

export class PanelMeetingView extends VersionedView {
  @ApiProperty({ format: 'uuid' })
  localityId: string;

  @ApiProperty({ format: 'date', example: '2026-12-03' })
  meetingOn: CalendarDate;

  @ApiProperty({ example: 'Helen Okafor' })
  chair: string;

  @ApiProperty({ type: [String], example: ['Helen Okafor', 'Jo Barker (STLS)'] })
  attendees: string[];

  @ApiProperty({ type: [DeclaredInterestView] })
  declaredInterests: DeclaredInterestView[];

  static of(m: PanelMeeting, interests: DeclaredInterestView[]): PanelMeetingView {
    return {
      id: m.id,
      localityId: m.localityId,
      meetingOn: m.meetingOn,
      chair: m.chair,
      attendees: m.attendees,
      declaredInterests: interests,
      version: m.version,
    };
  }
}

export class PanelMeetingPage extends PageOf(PanelMeetingView) {}
