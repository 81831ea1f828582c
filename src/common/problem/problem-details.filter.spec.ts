import { loggableError } from './problem-details.filter';

describe('loggableError', () => {
  it('keeps kind, code, message and stack; drops query parameters and driver detail', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
      name: 'QueryFailedError',
      query: 'INSERT INTO support_plan_review (note) VALUES ($1)',
      parameters: ['Mum says he cries every morning'],
      driverError: { code: '23505', detail: 'Key (upn)=(B801200005001) already exists.' },
    });
    const logged = loggableError(error);
    expect(logged).toMatchObject({ type: 'QueryFailedError', code: '23505', message: 'duplicate key value violates unique constraint' });
    expect(JSON.stringify(logged)).not.toContain('cries');
    expect(JSON.stringify(logged)).not.toContain('B801200005001');
  });

  it.each([['a string', 'boom', 'boom'], ['an object', { secret: 'x' }, 'non-error thrown'], ['undefined', undefined, 'non-error thrown']])(
    'describes %s without its contents',
    (_, thrown, message) => {
      expect(loggableError(thrown)).toEqual({ message });
    },
  );
});
