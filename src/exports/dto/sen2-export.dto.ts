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

/**
 * The columns every module starts with: the authority (the return header's `LEA`, 886 = Kent), then
 * the SEN2 person items we hold, in the guide's order (Surname, Forename, PersonBirthDate, ... UPN;
 * Sex, Ethnicity, PostCode, UniqueLearnerNumber and UPNunknown are not held). README "SEN2 export"
 * says which names and codes were checked and against what.
 */
export const SEN2_PERSON_COLUMNS = ['LEA', 'Surname', 'Forename', 'PersonBirthDate', 'UPN'] as const;

/**
 * Each module's columns, in the SEN2 guide's item order (README "SEN2 export"). A flat CSV loses
 * the return's nesting (person > request > assessment > named plan; request > active plan >
 * placement, need), so `ReceivedDate` (assessments) and `StartDate` (active plans) are kept as the
 * link to the request / plan a row belongs to.
 */
export const SEN2_COLUMNS: Record<Sen2Module, readonly string[]> = {
  requests: [...SEN2_PERSON_COLUMNS, 'ReceivedDate', 'RequestSource', 'RequestOutcomeDate', 'RequestOutcome', 'RequestMediation', 'RequestTribunal'],
  assessments: [
    ...SEN2_PERSON_COLUMNS, 'ReceivedDate', 'AssessmentOutcome', 'AssessmentOutcomeDate', 'AssessmentMediation', 'AssessmentTribunal',
    'OtherMediation', 'OtherTribunal', 'Week20',
  ],
  'named-plans': [...SEN2_PERSON_COLUMNS, 'StartDate', 'CeaseDate', 'CeaseReason'],
  'active-plans': [
    ...SEN2_PERSON_COLUMNS, 'StartDate', 'ReviewMeeting', 'ReviewOutcome', 'ReviewDraft', 'PhaseTransferDueDate', 'PhaseTransferFinalDate', 'LastReview',
  ],
  placements: [...SEN2_PERSON_COLUMNS, 'URN', 'PlacementRank'],
  needs: [...SEN2_PERSON_COLUMNS, 'SENtype', 'SENtypeRank'],
};
