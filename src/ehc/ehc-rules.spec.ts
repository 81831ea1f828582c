import { dueDate, type DurationRule } from '../timeliness/deadline-rules';
import {
  EHC_STAGES,
  EHC_STEPS,
  type EhcStage,
  type EhcStep,
  exceptionProblems,
  inclusiveDays,
  nextReviewStage,
  nextStage,
  previousReviewStep,
  previousStep,
  type ReviewDecision,
  type ReviewStep,
  stagesAllowing,
  stepDateProblem,
} from './ehc-rules';

describe('EHC case state machine: every (stage, step) pair', () => {
  // [stage, step, decision, expected next stage or null = 409 invalid-transition]
  const table: [EhcStage, EhcStep, boolean | undefined, EhcStage | null][] = [
    ['REQUESTED', 'decision-to-assess', true, 'ASSESSING'],
    ['REQUESTED', 'decision-to-assess', false, 'NOT_ASSESSED'],
    ['REQUESTED', 'issue-decision', true, null],
    ['REQUESTED', 'issue-decision', false, null],
    ['REQUESTED', 'final-plan', undefined, null],
    ['REQUESTED', 'withdraw', undefined, 'WITHDRAWN'],
    ['REQUESTED', 'advice-request', undefined, null],
    ['REQUESTED', 'exception', undefined, 'REQUESTED'],
    ['REQUESTED', 'appeal', undefined, 'REQUESTED'],

    ['ASSESSING', 'decision-to-assess', true, null],
    ['ASSESSING', 'decision-to-assess', false, null],
    ['ASSESSING', 'issue-decision', true, 'DRAFT_ISSUED'],
    ['ASSESSING', 'issue-decision', false, 'NOT_ISSUED'],
    ['ASSESSING', 'final-plan', undefined, null],
    ['ASSESSING', 'withdraw', undefined, 'WITHDRAWN'],
    ['ASSESSING', 'advice-request', undefined, 'ASSESSING'],
    ['ASSESSING', 'exception', undefined, 'ASSESSING'],
    ['ASSESSING', 'appeal', undefined, 'ASSESSING'],

    ['DRAFT_ISSUED', 'decision-to-assess', true, null],
    ['DRAFT_ISSUED', 'decision-to-assess', false, null],
    ['DRAFT_ISSUED', 'issue-decision', true, null],
    ['DRAFT_ISSUED', 'issue-decision', false, null],
    ['DRAFT_ISSUED', 'final-plan', undefined, 'PLAN_ISSUED'],
    ['DRAFT_ISSUED', 'withdraw', undefined, 'WITHDRAWN'],
    ['DRAFT_ISSUED', 'advice-request', undefined, null],
    ['DRAFT_ISSUED', 'exception', undefined, 'DRAFT_ISSUED'],
    ['DRAFT_ISSUED', 'appeal', undefined, 'DRAFT_ISSUED'],

    ['PLAN_ISSUED', 'decision-to-assess', true, null],
    ['PLAN_ISSUED', 'decision-to-assess', false, null],
    ['PLAN_ISSUED', 'issue-decision', true, null],
    ['PLAN_ISSUED', 'issue-decision', false, null],
    ['PLAN_ISSUED', 'final-plan', undefined, null],
    ['PLAN_ISSUED', 'withdraw', undefined, null],
    ['PLAN_ISSUED', 'advice-request', undefined, null],
    ['PLAN_ISSUED', 'exception', undefined, 'PLAN_ISSUED'],
    ['PLAN_ISSUED', 'appeal', undefined, 'PLAN_ISSUED'],

    ...(['NOT_ASSESSED', 'NOT_ISSUED', 'WITHDRAWN'] as const).flatMap((closed): [EhcStage, EhcStep, boolean | undefined, EhcStage | null][] => [
      [closed, 'decision-to-assess', true, null],
      [closed, 'decision-to-assess', false, null],
      [closed, 'issue-decision', true, null],
      [closed, 'issue-decision', false, null],
      [closed, 'final-plan', undefined, null],
      [closed, 'withdraw', undefined, null],
      [closed, 'advice-request', undefined, null],
      [closed, 'exception', undefined, null],
      [closed, 'appeal', undefined, closed],
    ]),
  ];

  it.each(table)('%s --%s(%p)--> %p', (stage, step, decision, expected) => {
    expect(nextStage(stage, step, decision)).toBe(expected);
  });

  it('the table covers every stage x step', () => {
    for (const stage of EHC_STAGES) for (const step of EHC_STEPS) expect(table.some(([s, st]) => s === stage && st === step)).toBe(true);
  });

  it('names the stages each step is allowed from', () => {
    expect(stagesAllowing('decision-to-assess')).toEqual(['REQUESTED']);
    expect(stagesAllowing('issue-decision')).toEqual(['ASSESSING']);
    expect(stagesAllowing('final-plan')).toEqual(['DRAFT_ISSUED']);
    expect(stagesAllowing('withdraw')).toEqual(['REQUESTED', 'ASSESSING', 'DRAFT_ISSUED']);
    expect(stagesAllowing('advice-request')).toEqual(['ASSESSING']);
  });
});

describe('step dates', () => {
  const dates = { requestReceivedOn: '2025-01-06', decisionToAssessOn: '2025-02-10', issueDecisionOn: '2025-04-20', finalPlanIssuedOn: null };
  it.each<[EhcStep, string, string]>([
    ['decision-to-assess', 'requestReceivedOn', '2025-01-06'],
    ['advice-request', 'decisionToAssessOn', '2025-02-10'],
    ['issue-decision', 'decisionToAssessOn', '2025-02-10'],
    ['final-plan', 'issueDecisionOn', '2025-04-20'],
    ['withdraw', 'issueDecisionOn', '2025-04-20'],
    ['exception', 'requestReceivedOn', '2025-01-06'],
    ['appeal', 'requestReceivedOn', '2025-01-06'],
  ])('%s follows %s', (step, field, date) => {
    expect(previousStep(step, dates)).toEqual({ field, date });
  });

  it.each([
    ['2025-02-10', undefined],
    ['2025-02-09', 'must not be before decisionToAssessOn (2025-02-10)'],
    ['2025-06-01', 'must not be in the future (today is 2025-05-31)'],
    ['2025-05-31', undefined],
  ])('%s -> %p', (date, problem) => {
    expect(stepDateProblem(date, { field: 'decisionToAssessOn', date: '2025-02-10' }, '2025-05-31')).toBe(problem);
  });
});

describe('exceptions: the four-week rule', () => {
  const today = '2025-12-31';
  it.each<[string, string, string, string[]]>([
    ['SCHOOL_CLOSURE', '2025-03-03', '2025-03-30', []], // 28 days, both counted
    ['SCHOOL_CLOSURE', '2025-03-03', '2025-03-29', ['toOn']], // 27 days
    ['EARLY_YEARS_CLOSURE', '2025-03-03', '2025-03-29', ['toOn']],
    ['ABSENT_FROM_AREA', '2025-03-03', '2025-03-29', ['toOn']],
    ['ABSENT_FROM_AREA', '2025-03-03', '2025-04-30', []],
    ['PERSONAL_CIRCUMSTANCES', '2025-03-03', '2025-03-03', []], // no minimum
    ['PERSONAL_CIRCUMSTANCES', '2025-03-03', '2025-03-02', ['toOn']],
    ['PERSONAL_CIRCUMSTANCES', '2026-01-01', '2026-01-02', ['fromOn']],
    ['PERSONAL_CIRCUMSTANCES', '2024-11-01', '2024-12-01', ['toOn']], // over before the request
  ])('%s %s..%s -> errors on %p', (reason, fromOn, toOn, fields) => {
    expect(exceptionProblems(reason as never, fromOn, toOn, '2025-01-06', today).map((e) => e.field)).toEqual(fields);
  });

  it('counts both ends', () => {
    expect(inclusiveDays('2025-03-03', '2025-03-03')).toBe(1);
    expect(inclusiveDays('2025-03-03', '2025-03-30')).toBe(28);
  });
});

describe('EHC due dates (through the one dueDate rule, as seeded in sla_rule)', () => {
  const rule = (kind: string, durationUnit: 'WEEKS' | 'MONTHS', durationValue: number): DurationRule =>
    ({ kind, durationUnit, durationValue }) as DurationRule;
  it.each<[string, 'WEEKS' | 'MONTHS', number, string, string]>([
    ['EHC_DECISION_TO_ASSESS', 'WEEKS', 6, '2025-01-06', '2025-02-17'],
    ['EHC_ADVICE', 'WEEKS', 6, '2025-03-20', '2025-05-01'], // across the start of BST (30 March)
    ['EHC_ISSUE_DECISION', 'WEEKS', 16, '2025-01-06', '2025-04-28'],
    ['EHC_FINAL_PLAN', 'WEEKS', 20, '2025-01-06', '2025-05-26'],
    ['EHC_FINAL_PLAN', 'WEEKS', 20, '2025-09-01', '2026-01-19'], // across the end of BST (26 October)
    ['ANNUAL_REVIEW_MEETING', 'MONTHS', 12, '2024-02-29', '2025-02-28'],
    ['ANNUAL_REVIEW_MEETING', 'MONTHS', 12, '2025-01-31', '2026-01-31'],
  ])('%s (%s %d) from %s is due %s', (kind, unit, value, startsOn, due) => {
    expect(dueDate(rule(kind, unit, value), startsOn)).toBe(due);
  });
});

describe('annual review state machine: every (stage, step) pair', () => {
  const stages = ['MEETING_HELD', 'REPORT_SENT', 'MAINTAINED', 'AMENDING', 'AMENDMENTS_SENT', 'AMENDED', 'CEASED'] as const;
  const allowed: Record<string, string | null> = {
    'MEETING_HELD report-sent -': 'REPORT_SENT',
    'REPORT_SENT decision MAINTAIN': 'MAINTAINED',
    'REPORT_SENT decision AMEND': 'AMENDING',
    'REPORT_SENT decision CEASE': 'CEASED',
    'AMENDING amendments-sent -': 'AMENDMENTS_SENT',
    'AMENDMENTS_SENT amended-plan -': 'AMENDED',
  };
  const table = stages.flatMap((stage) =>
    [
      ['report-sent', undefined],
      ['decision', 'MAINTAIN'],
      ['decision', 'AMEND'],
      ['decision', 'CEASE'],
      ['amendments-sent', undefined],
      ['amended-plan', undefined],
    ].map(([step, decision]) => [stage, step, decision, allowed[`${stage} ${step} ${decision ?? '-'}`] ?? null] as const),
  );
  it.each(table)('%s --%s(%p)--> %p', (stage, step, decision, expected) => {
    expect(nextReviewStage(stage, step as ReviewStep, decision as ReviewDecision | undefined)).toBe(expected);
  });
  it('dates follow the previous step', () => {
    const r = { meetingOn: '2025-03-01', reportSentOn: '2025-03-10', decidedOn: '2025-03-20', amendmentsSentOn: '2025-03-25' };
    expect(previousReviewStep('report-sent', r)).toEqual({ field: 'meetingOn', date: '2025-03-01' });
    expect(previousReviewStep('decision', r)).toEqual({ field: 'reportSentOn', date: '2025-03-10' });
    expect(previousReviewStep('amendments-sent', r)).toEqual({ field: 'decidedOn', date: '2025-03-20' });
    expect(previousReviewStep('amended-plan', r)).toEqual({ field: 'amendmentsSentOn', date: '2025-03-25' });
  });
});
