/**
 * Password rules: at least 12 characters (NCSC favours length over composition rules), at most
 * 128, and not one of the passwords attackers try first.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

// The most common passwords of 12+ characters in public breach lists, plus local favourites.
const COMMON = new Set(
  [
    'password1234', 'password12345', 'password123456', 'passwordpassword', '123456789012', '1234567890123',
    '12345678901234', 'qwertyuiopas', 'qwerty123456', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'abcdefghijkl',
    'abc123456789', 'iloveyou1234', 'letmein12345', 'welcome12345', 'welcome123456', 'administrator',
    'administrator1', 'changeme1234', 'changemenow1', 'football1234', 'baseball1234', 'sunshine1234',
    'princess1234', 'trustno11234', 'superman1234', 'qwertyqwerty', 'aaaaaaaaaaaa', '111111111111',
    '000000000000', '123123123123', 'passw0rd1234', 'p@ssw0rd1234', 'p@ssword1234', 'monkey123456',
    'dragon123456', 'master123456', 'letmeinplease', 'correcthorsebatterystaple', 'kentcouncil1',
    'kentcountycouncil', 'password2024', 'password2025', 'password2026', 'summer2025!!', 'winter2025!!',
    'spring2026!!', 'autumn2026!!', 'localitysen1', 'localitysen123',
  ].map((p) => p.toLowerCase()),
);

/** The reason a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is one of the most common passwords; choose another';
  if (/^(.)\1+$/.test(password)) return 'must not repeat one character';
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) return 'must not contain your email address';
  return undefined;
}
