import { AuditEvent } from '../audit/audit-event.entity';
import { Locality } from '../localities/locality.entity';
import { School } from '../localities/school.entity';
import { Organisation } from '../providers/organisation.entity';
import { CatalogueService } from '../providers/service.entity';
import { User } from '../users/user.entity';

/** Every entity class, listed so tsc output, the CLI and jest load the same set. */
export const ENTITIES = [Locality, School, Organisation, CatalogueService, User, AuditEvent];
