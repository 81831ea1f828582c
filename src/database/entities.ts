import { Locality } from '../localities/locality.entity';
import { School } from '../localities/school.entity';
import { Organisation } from '../providers/organisation.entity';
import { CatalogueService } from '../providers/service.entity';

/** Every entity class, listed so tsc output, the CLI and jest load the same set. */
export const ENTITIES = [Locality, School, Organisation, CatalogueService];
