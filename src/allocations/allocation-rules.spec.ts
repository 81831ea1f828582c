import { ALLOCATION_STATUSES, type AllocationStatus } from './allocation.entity';
import { ALLOCATION_ACTIONS, type AllocationAction, nextStatus, sessionUnits, statusesAllowing } from './allocation-rules';

describe('allocation state machine: every (status, action) pair', () => {
  const expected: Record<AllocationStatus, Record<AllocationAction, AllocationStatus | null>> = {
    OFFERED: { accept: 'ACCEPTED', decline: 'DECLINED', session: null, complete: null, cancel: 'CANCELLED', extend: 'OFFERED' },
    ACCEPTED: { accept: null, decline: null, session: 'IN_DELIVERY', complete: 'COMPLETED', cancel: 'CANCELLED', extend: 'ACCEPTED' },
    IN_DELIVERY: { accept: null, decline: null, session: 'IN_DELIVERY', complete: 'COMPLETED', cancel: 'CANCELLED', extend: 'IN_DELIVERY' },
    DECLINED: { accept: null, decline: null, session: null, complete: null, cancel: null, extend: null },
    COMPLETED: { accept: null, decline: null, session: null, complete: null, cancel: null, extend: null },
    CANCELLED: { accept: null, decline: null, session: null, complete: null, cancel: null, extend: null },
  };
  const pairs = ALLOCATION_STATUSES.flatMap((status) => ALLOCATION_ACTIONS.map((action) => [status, action, expected[status][action]] as const));

  it('covers every pair', () => {
    expect(pairs).toHaveLength(ALLOCATION_STATUSES.length * ALLOCATION_ACTIONS.length);
  });

  it.each(pairs)('%s + %s -> %s', (status, action, next) => {
    expect(nextStatus(status, action)).toBe(next);
  });

  it.each(ALLOCATION_ACTIONS)('lists the statuses %s starts from', (action) => {
    expect(statusesAllowing(action).sort()).toEqual(ALLOCATION_STATUSES.filter((s) => expected[s][action] !== null).sort());
  });
});

describe('units a session uses', () => {
  it.each([
    // unit, input, expected
    ['SESSIONS', { durationMinutes: 45, attended: true }, { units: 1 }],
    ['SESSIONS', { durationMinutes: 45, attended: false, absenceReason: 'DID_NOT_ATTEND' }, { units: 1 }],
    ['SESSIONS', { durationMinutes: 45, attended: false, absenceReason: 'CANCELLED_BY_SCHOOL' }, { units: 1 }],
    ['SESSIONS', { durationMinutes: 45, attended: false, absenceReason: 'CANCELLED_BY_PROVIDER' }, { units: 0 }],
    ['SESSIONS', { durationMinutes: 45, attended: true, unitsUsed: 1 }, { field: 'unitsUsed' }],
    ['HOURS', { durationMinutes: 90, attended: true }, { units: 1.5 }],
    ['HOURS', { durationMinutes: 15, attended: true }, { units: 0.25 }],
    ['HOURS', { durationMinutes: 600, attended: true }, { units: 10 }],
    ['HOURS', { durationMinutes: 60, attended: false, absenceReason: 'DID_NOT_ATTEND' }, { units: 1 }],
    ['HOURS', { durationMinutes: 60, attended: false, absenceReason: 'CANCELLED_BY_PROVIDER' }, { units: 0 }],
    ['HOURS', { durationMinutes: 50, attended: true }, { field: 'durationMinutes' }],
    ['HOURS', { durationMinutes: 60, attended: true, unitsUsed: 1 }, { field: 'unitsUsed' }],
    ['GBP', { durationMinutes: 30, attended: true, unitsUsed: 250 }, { units: 250 }],
    ['GBP', { durationMinutes: 30, attended: true, unitsUsed: 0 }, { units: 0 }],
    ['GBP', { durationMinutes: 30, attended: true }, { field: 'unitsUsed' }],
    ['GBP', { durationMinutes: 30, attended: true, unitsUsed: 10.5 }, { field: 'unitsUsed' }],
    ['GBP', { durationMinutes: 30, attended: true, unitsUsed: -1 }, { field: 'unitsUsed' }],
    ['PLACES', { durationMinutes: 300, attended: true, unitsUsed: 1 }, { units: 1 }],
    ['PLACES', { durationMinutes: 300, attended: true, unitsUsed: null }, { field: 'unitsUsed' }],
    ['SESSIONS', { durationMinutes: 45, attended: false }, { field: 'absenceReason' }],
    ['SESSIONS', { durationMinutes: 45, attended: true, absenceReason: 'DID_NOT_ATTEND' }, { field: 'absenceReason' }],
  ] as const)('%s %j -> %j', (unit, input, expected) => {
    expect(sessionUnits(unit, input)).toMatchObject(expected);
  });
});
