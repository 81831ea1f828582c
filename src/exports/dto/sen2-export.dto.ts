import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';

export const SEN2_MODULES = ['requests', 'assessments', 'named-plans', 'active-plans', 'placements', 'needs'] as const;
export type Sen2Module = (typeof SEN2_MODULES)[number];

export class Sen2ExportQueryDto {
  @ApiProperty({ example: 2025, minimum: 1900, maximum: 2999, description: 'The calendar year of the return (1 January to 31 December)' })
  @Type(() => Number)
  @IsInt()
  @Min(1900)
  @Max(2999)
  year: number;

  @ApiProperty({ enum: SEN2_MODULES, example: 'requests', description: 'The SEN2 module: one person-level CSV each' })
  @IsIn(SEN2_MODULES)
  module: Sen2Module;
}

/** The person columns every module starts with (SEN2 module 1 fields), LA 886 = Kent. */
export const SEN2_PERSON_COLUMNS = ['LA', 'UPN', 'Surname', 'Forename', 'PersonBirthDate'] as const;

/** Each module's columns, in order (README "SEN2 export"). */
export const SEN2_COLUMNS: Record<Sen2Module, readonly string[]> = {
  requests: [...SEN2_PERSON_COLUMNS, 'ReceivedDate', 'RequestSource', 'RequestOutcome', 'RequestOutcomeDate', 'RequestMediation', 'RequestTribunal'],
  assessments: [
    ...SEN2_PERSON_COLUMNS, 'ReceivedDate', 'AssessmentOutcome', 'AssessmentOutcomeDate', 'PlanIssuedDate', 'Week20',
    'AssessmentMediation', 'AssessmentTribunal',
  ],
  'named-plans': [...SEN2_PERSON_COLUMNS, 'StartDate', 'CeaseDate', 'CeaseReason', 'PlanMediation', 'PlanTribunal'],
  'active-plans': [
    ...SEN2_PERSON_COLUMNS, 'StartDate', 'ReviewMeetingDate', 'ReviewOutcome', 'ReviewDecisionDate', 'DraftAmendmentDate',
    'PhaseTransferDueDate', 'PhaseTransferFinalDate',
  ],
  placements: [...SEN2_PERSON_COLUMNS, 'URN', 'SettingName', 'PlacementRank'],
  needs: [...SEN2_PERSON_COLUMNS, 'NeedType', 'NeedRank'],
};
