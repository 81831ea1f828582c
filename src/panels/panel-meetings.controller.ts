import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { AgendaView } from './dto/agenda.dto';
import { CreatePanelMeetingDto, PanelMeetingPage, PanelMeetingQueryDto, PanelMeetingView } from './dto/panel-meeting.dto';
import { PanelMeetingsService } from './panel-meetings.service';

@ApiTags('support requests and panels')
@Controller('panel-meetings')
export class PanelMeetingsController {
  constructor(private readonly meetings: PanelMeetingsService) {}

  @Get()
  @Can('panel-meetings.read')
  @ApiOperation({ summary: 'Panel meetings in the caller’s scope, latest first; filters localityId, from, to' })
  @ApiOkResponse({ type: PanelMeetingPage })
  @ApiProblems('validation')
  list(@CallerScope() scope: ScopeFilter, @Query() query: PanelMeetingQueryDto) {
    return this.meetings.list(scope, query);
  }

  @Post()
  @Can('panel-meetings.write')
  @ApiOperation({
    summary: 'Record a meeting of the caller’s locality panel (past or upcoming)',
    description:
      'PANEL of that locality (another locality: 400 on localityId). chair and attendees are names as minuted (free text: an ' +
      'attendee need not hold an account). declaredInterests pairs a PANEL member of the locality (userId) with a school of the ' +
      'locality (schoolId); an unknown or out-of-locality id is 400 on declaredInterests.<i>.userId / .schoolId.',
  })
  @ApiCreatedResponse({ type: PanelMeetingView })
  @ApiProblems('validation')
  create(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Body() dto: CreatePanelMeetingDto) {
    return this.meetings.create(caller, scope, dto);
  }

  @Get(':id')
  @Can('panel-meetings.read')
  @ApiOperation({ summary: 'One panel meeting with its declared interests' })
  @ApiOkResponse({ type: PanelMeetingView })
  @ApiProblems('validation', 'not-found')
  get(@CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.meetings.get(scope, id);
  }

  @Get(':id/agenda')
  @Can('panel-meetings.read')
  @ApiOperation({
    summary: 'The meeting’s agenda: the locality’s requests awaiting a decision and the pools available',
    description:
      'SUBMITTED requests of the locality (and DEFERRED ones, heard again), oldest submission first, URGENT ones flagged, with ' +
      'needsReallocation and the provider’s reason when a provider declined; for each the pupil’s summary (name, year group, ' +
      'school, needs, SEN status), their other requests with the latest decision, and their support cycles with the review ' +
      'outcome; then the locality’s pools whose period contains the meeting date. A list: no access rows are written.',
  })
  @ApiOkResponse({ type: AgendaView })
  @ApiProblems('validation', 'not-found')
  agenda(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.meetings.agenda(caller, scope, id);
  }
}
