import { ReferenceData1764300000000 } from './1764300000000-reference-data';
import { IdentityAndAudit1764310000000 } from './1764310000000-identity-and-audit';

/** Every migration, oldest first: one list for the app, the CLI and the tests (STACK.md). */
export const MIGRATIONS = [ReferenceData1764300000000, IdentityAndAudit1764310000000];
