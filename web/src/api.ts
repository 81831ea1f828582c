/**
 * The page's only way to data: the API under /api/v1 with the signed-in user's bearer token.
 * The token lives in sessionStorage (gone when the tab closes) and is never put in a URL.
 */
export const API = '/api/v1';
const TOKEN_KEY = 'locality-sen.token';

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(describeProblem(status, problem));
    this.name = 'ApiError';
  }
}

export function describeProblem(status: number, problem: Problem | null): string {
  const title = problem?.title ?? (status === 0 ? 'The server could not be reached' : `The server answered ${status}`);
  const fields = problem?.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
  const detail = fields || problem?.detail;
  return `${title}${status ? ` (${status})` : ''}${detail && detail !== title ? `: ${detail}` : ''}`;
}

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** Called when a request answers 401 (token expired or revoked). */
let onUnauthenticated: (error: ApiError) => void = () => undefined;
export function whenUnauthenticated(handler: (error: ApiError) => void): void {
  onUnauthenticated = handler;
}

export type Query = Record<string, string | number | undefined | null>;

export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${API}${path}${search ? `?${search}` : ''}`;
}

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Problem | null = null;
  try {
    problem = (await response.json()) as Problem;
  } catch {
    problem = null;
  }
  return new ApiError(response.status, problem);
}

async function call(path: string, query: Query, accept: string, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  const token = session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), { headers, signal, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (response.status === 401) onUnauthenticated(error);
    throw error;
  }
  return response;
}

export async function getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  return (await (await call(path, query, 'application/json', signal)).json()) as T;
}

export interface LoginAnswer {
  accessToken: string;
  expiresIn: number;
}

export async function login(email: string, password: string): Promise<LoginAnswer> {
  let response: Response;
  try {
    response = await fetch(`${API}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email, password }),
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as LoginAnswer;
}

/** Every page of a list's CSV (following X-Next-Cursor), as one file: one header row. */
export async function fetchCsv(path: string, query: Query, maxPages = 1): Promise<string> {
  let text = '';
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const response = await call(path, { ...query, format: 'csv', cursor }, 'text/csv');
    const body = await response.text();
    if (page === 0) {
      text = body;
    } else {
      // Later pages repeat the header row: keep only the data rows.
      const firstBreak = body.indexOf('\n');
      text += (text.endsWith('\n') ? '' : '\n') + (firstBreak === -1 ? '' : body.slice(firstBreak + 1));
    }
    cursor = response.headers.get('X-Next-Cursor');
    if (!cursor) break;
  }
  return text;
}

/** Hands a CSV to the browser as a file download (a Blob: nothing goes back to the server). */
export function saveFile(text: string, filename: string): void {
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
