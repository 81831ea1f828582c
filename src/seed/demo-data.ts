/**
 * Demo reference data for the embedded start: Kent's 4 areas and 12 districts, one locality
 * (Community of Schools) per district, and 30 real Kent schools with their DfE URNs
 * (Get Information About Schools, August 2020, Open Government Licence; see data/README.md).
 */
export interface DemoLocality {
  code: string;
  name: string;
  area: string;
  district: string;
}

export const DEMO_LOCALITIES: DemoLocality[] = [
  { code: 'DAR-01', name: 'Dartford Town and Stone', area: 'North', district: 'Dartford' },
  { code: 'GRA-01', name: 'Gravesend and Northfleet', area: 'North', district: 'Gravesham' },
  { code: 'SEV-01', name: 'Swanley and Sevenoaks Rural', area: 'North', district: 'Sevenoaks' },
  { code: 'MAI-01', name: 'Maidstone Central', area: 'West', district: 'Maidstone' },
  { code: 'TMA-01', name: 'Tonbridge and Hadlow', area: 'West', district: 'Tonbridge and Malling' },
  { code: 'TUN-01', name: 'Tunbridge Wells and Southborough', area: 'West', district: 'Tunbridge Wells' },
  { code: 'CAN-01', name: 'Canterbury City and Coast', area: 'East', district: 'Canterbury' },
  { code: 'SWA-01', name: 'Sittingbourne and Sheppey', area: 'East', district: 'Swale' },
  { code: 'THA-01', name: 'Margate, Ramsgate and Broadstairs', area: 'East', district: 'Thanet' },
  { code: 'ASH-01', name: 'Ashford Town', area: 'South', district: 'Ashford' },
  { code: 'DOV-01', name: 'Dover and Deal', area: 'South', district: 'Dover' },
  { code: 'FOL-01', name: 'Folkestone and Hythe', area: 'South', district: 'Folkestone and Hythe' },
];

export interface DemoSchool {
  urn: string;
  name: string;
  phase: 'PRIMARY' | 'SECONDARY';
  localityCode: string;
}

export const DEMO_SCHOOLS: DemoSchool[] = [
  { urn: '118768', name: "Our Lady's Catholic Primary School, Dartford", phase: 'PRIMARY', localityCode: 'DAR-01' },
  { urn: '118859', name: 'Holy Trinity Church of England Primary School, Dartford', phase: 'PRIMARY', localityCode: 'DAR-01' },
  { urn: '118785', name: 'Dartford Science & Technology College', phase: 'SECONDARY', localityCode: 'DAR-01' },
  { urn: '142156', name: "St John's Catholic Primary School, Gravesend", phase: 'PRIMARY', localityCode: 'GRA-01' },
  { urn: '141580', name: "St Joseph's Catholic Primary School, Northfleet", phase: 'PRIMARY', localityCode: 'GRA-01' },
  { urn: '118928', name: 'Northfleet Technology College', phase: 'SECONDARY', localityCode: 'GRA-01' },
  { urn: '118860', name: "St Bartholomew's Catholic Primary School, Swanley", phase: 'PRIMARY', localityCode: 'SEV-01' },
  { urn: '118551', name: 'Sevenoaks Primary School', phase: 'PRIMARY', localityCode: 'SEV-01' },
  { urn: '118625', name: "Maidstone, St Michael's Church of England Junior School", phase: 'PRIMARY', localityCode: 'MAI-01' },
  { urn: '118626', name: "St Michael's Church of England Infant School Maidstone", phase: 'PRIMARY', localityCode: 'MAI-01' },
  { urn: '118835', name: 'Maidstone Grammar School', phase: 'SECONDARY', localityCode: 'MAI-01' },
  { urn: '136417', name: 'Tonbridge Grammar School', phase: 'SECONDARY', localityCode: 'TMA-01' },
  { urn: '118712', name: 'Southborough CofE Primary School', phase: 'PRIMARY', localityCode: 'TUN-01' },
  { urn: '118790', name: 'Tunbridge Wells Grammar School for Boys', phase: 'SECONDARY', localityCode: 'TUN-01' },
  { urn: '118777', name: "St Thomas' Catholic Primary School, Canterbury", phase: 'PRIMARY', localityCode: 'CAN-01' },
  { urn: '118364', name: 'Whitstable Junior School', phase: 'PRIMARY', localityCode: 'CAN-01' },
  { urn: '118359', name: 'Herne Bay Infant School', phase: 'PRIMARY', localityCode: 'CAN-01' },
  { urn: '143606', name: 'Minster in Sheppey Primary School', phase: 'PRIMARY', localityCode: 'SWA-01' },
  { urn: '137687', name: 'The Sittingbourne School', phase: 'SECONDARY', localityCode: 'SWA-01' },
  { urn: '140873', name: "St Gregory's Catholic Primary School, Margate", phase: 'PRIMARY', localityCode: 'THA-01' },
  { urn: '142117', name: 'Ramsgate Arts Primary School', phase: 'PRIMARY', localityCode: 'THA-01' },
  { urn: '118534', name: 'Bromstone Primary School, Broadstairs', phase: 'PRIMARY', localityCode: 'THA-01' },
  { urn: '135125', name: 'Ashford Oaks Community Primary School', phase: 'PRIMARY', localityCode: 'ASH-01' },
  { urn: '118738', name: "Ashford, St Mary's Church of England Primary School", phase: 'PRIMARY', localityCode: 'ASH-01' },
  { urn: '118748', name: "Dover, St Mary's Church of England Primary School", phase: 'PRIMARY', localityCode: 'DOV-01' },
  { urn: '147053', name: 'Deal Parochial Church of England Primary School', phase: 'PRIMARY', localityCode: 'DOV-01' },
  { urn: '118806', name: 'Dover Grammar School for Girls', phase: 'SECONDARY', localityCode: 'DOV-01' },
  { urn: '118675', name: "Folkestone, St Martin's Church of England Primary School", phase: 'PRIMARY', localityCode: 'FOL-01' },
  { urn: '131020', name: 'Hythe Bay CofE Primary School', phase: 'PRIMARY', localityCode: 'FOL-01' },
  { urn: '137837', name: 'The Folkestone School for Girls', phase: 'SECONDARY', localityCode: 'FOL-01' },
];

export interface DemoOrganisation {
  name: string;
  kind: 'KCC_SERVICE' | 'NHS' | 'VOLUNTARY' | 'INDEPENDENT';
}

export const DEMO_ORGANISATIONS: DemoOrganisation[] = [
  { name: 'KCC Specialist Teaching and Learning Service', kind: 'KCC_SERVICE' },
  { name: 'KCC Educational Psychology Service', kind: 'KCC_SERVICE' },
  { name: 'KCC SEN Inclusion Funding', kind: 'KCC_SERVICE' },
  { name: 'Kent Community Health NHS Foundation Trust', kind: 'NHS' },
  { name: 'Kent Children and Young People’s Mental Health Service', kind: 'NHS' },
  { name: 'Kent Neurodiversity Family Support (voluntary sector)', kind: 'VOLUNTARY' },
];

export interface DemoService {
  code: string;
  name: string;
  organisation: string;
  unit: 'HOURS' | 'SESSIONS' | 'GBP' | 'PLACES';
  deliveryStartWeeks: number | null;
}

export const DEMO_SERVICES: DemoService[] = [
  { code: 'STLS', name: 'Specialist teaching (STLS)', organisation: 'KCC Specialist Teaching and Learning Service', unit: 'HOURS', deliveryStartWeeks: 4 },
  { code: 'EP', name: 'Educational psychology consultation', organisation: 'KCC Educational Psychology Service', unit: 'HOURS', deliveryStartWeeks: null },
  { code: 'SALT', name: 'Speech and language therapy', organisation: 'Kent Community Health NHS Foundation Trust', unit: 'SESSIONS', deliveryStartWeeks: 8 },
  { code: 'OT', name: 'Occupational therapy', organisation: 'Kent Community Health NHS Foundation Trust', unit: 'SESSIONS', deliveryStartWeeks: 8 },
  { code: 'PHYSIO', name: 'Physiotherapy', organisation: 'Kent Community Health NHS Foundation Trust', unit: 'SESSIONS', deliveryStartWeeks: 8 },
  { code: 'MHS', name: 'Mental health support in school', organisation: 'Kent Children and Young People’s Mental Health Service', unit: 'SESSIONS', deliveryStartWeeks: null },
  { code: 'FAMSUP', name: 'Family support for neurodivergent children', organisation: 'Kent Neurodiversity Family Support (voluntary sector)', unit: 'SESSIONS', deliveryStartWeeks: null },
  { code: 'HNF', name: 'High needs funding for mainstream', organisation: 'KCC SEN Inclusion Funding', unit: 'GBP', deliveryStartWeeks: 2 },
  { code: 'SRP', name: 'Specialist resource provision place', organisation: 'KCC SEN Inclusion Funding', unit: 'PLACES', deliveryStartWeeks: null },
];

/** The demo's sign-in password for every demo account (documented in README; demo only). */
export const DEMO_PASSWORD = 'demo-password-2026';

export interface DemoUser {
  email: string;
  name: string;
  role: 'SENCO' | 'PANEL' | 'PROVIDER' | 'CASEWORKER' | 'MANAGER' | 'ADMIN';
  schoolUrn?: string;
  localityCode?: string;
  area?: string;
  organisation?: string;
}

/** One or more demo logins per role, each with the scope its role needs. */
export const DEMO_USERS: DemoUser[] = [
  { email: 'admin@example.org', name: 'Alex Morgan (administrator)', role: 'ADMIN' },
  { email: 'senco.dartford@example.org', name: 'Priya Shah (SENCO)', role: 'SENCO', schoolUrn: '118768' },
  { email: 'senco.margate@example.org', name: 'Tom Reid (SENCO)', role: 'SENCO', schoolUrn: '140873' },
  { email: 'panel.dartford@example.org', name: 'Helen Okafor (panel chair)', role: 'PANEL', localityCode: 'DAR-01' },
  { email: 'panel.thanet@example.org', name: 'Gary Fisher (panel member)', role: 'PANEL', localityCode: 'THA-01' },
  { email: 'provider.nhs@example.org', name: 'Dr Mei Lin (speech and language therapist)', role: 'PROVIDER', organisation: 'Kent Community Health NHS Foundation Trust' },
  { email: 'provider.stls@example.org', name: 'Jo Barker (specialist teacher)', role: 'PROVIDER', organisation: 'KCC Specialist Teaching and Learning Service' },
  { email: 'caseworker@example.org', name: 'Sarah Doyle (SEN caseworker, county)', role: 'CASEWORKER' },
  { email: 'caseworker.north@example.org', name: 'Raj Patel (SEN caseworker, North)', role: 'CASEWORKER', area: 'North' },
  { email: 'manager@example.org', name: 'Claire Evans (service manager, county)', role: 'MANAGER' },
  { email: 'manager.north@example.org', name: 'David Hughes (Area Board, North)', role: 'MANAGER', area: 'North' },
  { email: 'manager.dartford@example.org', name: 'Emma Wood (locality manager, Dartford)', role: 'MANAGER', localityCode: 'DAR-01' },
];

/*
 * Demo SEN register: invented pupils (names drawn from common English first names and surnames,
 * a few with accents and apostrophes to show accent-insensitive search) and their SEN support
 * cycles. The service draws them with a seeded PRNG, so every start produces the same pupils.
 */

/** Pupils drawn per demo school. */
export const DEMO_PUPILS_PER_SCHOOL = 5;

/**
 * Pupils with EHC plans who moved up to secondary school this September, added after the drawn
 * ones (the draws never produce an EHC pupil in Year 6 or 7): their plans were issued in Year 6,
 * in time for last year's phase transfer, which demo-ehc.ts shows met on time (two) and late (one).
 */
export const DEMO_PHASE_TRANSFER_SCHOOL_URN = '118928';
export const DEMO_PHASE_TRANSFER_PUPILS = [
  { firstName: 'Oliver', lastName: 'Bennett', primaryNeed: 'ASD', dayOfYear: 40 },
  { firstName: 'Maya', lastName: 'Kowalski', primaryNeed: 'SEMH', dayOfYear: 190 },
  { firstName: 'Kwame', lastName: 'Mensah', primaryNeed: 'SLCN', dayOfYear: 300 },
] as const;

/** Seed of the demo register's PRNG: change it and every demo pupil changes. */
export const DEMO_REGISTER_SEED = 0x5e4d2026;

/** Kent's DfE LA number: the first three digits of a Kent UPN. */
export const DEMO_LA_NUMBER = '886';

/** Single-sex demo schools (by URN), so their pupils get fitting first names. */
export const DEMO_SINGLE_SEX_SCHOOLS: Record<string, 'GIRLS' | 'BOYS'> = {
  '136417': 'GIRLS', // Tonbridge Grammar School
  '118806': 'GIRLS', // Dover Grammar School for Girls
  '137837': 'GIRLS', // The Folkestone School for Girls
  '118790': 'BOYS', // Tunbridge Wells Grammar School for Boys
  '118835': 'BOYS', // Maidstone Grammar School
};

export const DEMO_GIRLS_NAMES = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Isabella', 'Sophia', 'Freya', 'Grace', 'Ella',
  'Poppy', 'Evie', 'Florence', 'Willow', 'Daisy', 'Sienna', 'Phoebe', 'Ruby', 'Emily', 'Harper', 'Millie', 'Maisie',
  'Jessica', 'Amber', 'Leah', 'Aisha', 'Maya', 'Hannah', 'Zoë', 'Chloé', 'Siobhán', 'Renée', 'Niamh', 'Mollie',
];

export const DEMO_BOYS_NAMES = [
  'Noah', 'Oliver', 'George', 'Arthur', 'Muhammad', 'Leo', 'Harry', 'Oscar', 'Archie', 'Henry', 'Theodore', 'Freddie',
  'Jack', 'Charlie', 'Alfie', 'Theo', 'Jacob', 'Thomas', 'Finley', 'Joshua', 'Riley', 'Mason', 'Ethan', 'Kai',
  'Reuben', 'Samuel', 'Louis', 'Toby', 'Dylan', 'Harvey', 'Callum', 'Kieran', 'Seán', 'Rónán', 'Ibrahim', 'Jayden',
];

export const DEMO_SURNAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark',
  'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker',
  'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins',
  'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Begum', 'Khan', 'Ahmed', 'Nowak', 'Okafor', 'Adeyemi', 'Kowalski',
  "O'Brien", "O'Connor", "D'Souza", 'Brontë', 'Ó Súilleabháin', 'Müller', 'Smith-Jones', 'Kaur', 'Singh', 'Begley',
];

/**
 * Weights of the primary type of need (per thousand, rounded) from the DfE "Special educational
 * needs in England" release (January 2024): SEN support led by SLCN, SEMH, MLD, SPLD and ASD;
 * EHC plans led by ASD, then SLCN, SEMH and SLD. NSA only with SEN support.
 */
export const DEMO_NEED_WEIGHTS: Record<'K' | 'E', Record<string, number>> = {
  K: { SLCN: 250, SEMH: 200, MLD: 130, SPLD: 130, ASD: 110, NSA: 50, OTH: 30, PD: 25, HI: 20, VI: 10, SLD: 10, DS: 5, MSI: 5, PMLD: 5 },
  E: { ASD: 330, SLCN: 150, SEMH: 150, SLD: 100, MLD: 80, PD: 50, SPLD: 40, HI: 30, PMLD: 25, DS: 20, VI: 10, MSI: 5, OTH: 10 },
};

export interface DemoPlanTemplate {
  outcomes: { description: string }[];
  provision: { description: string; frequency: string; by: string }[];
}

/** Plan content by primary need; a pupil's cycle draws one of its need's templates (DEFAULT when none). */
export const DEMO_PLAN_TEMPLATES: Record<string, DemoPlanTemplate[]> = {
  SLCN: [
    {
      outcomes: [{ description: 'Follows a two-step instruction in class without a visual prompt' }, { description: 'Uses sentences of five or more words to retell a short story' }],
      provision: [
        { description: 'Small-group language programme (vocabulary and narrative)', frequency: '3 x 20 minutes a week', by: 'Teaching assistant' },
        { description: 'Visual timetable and word mats in class', frequency: 'Daily', by: 'Class teacher' },
      ],
    },
    {
      outcomes: [{ description: 'Produces the /s/ and /sh/ sounds correctly in single words' }],
      provision: [{ description: 'Speech sound practice from the therapist’s programme', frequency: '4 x 10 minutes a week', by: 'Teaching assistant' }],
    },
  ],
  SEMH: [
    {
      outcomes: [{ description: 'Uses a calm-down plan to return to learning within ten minutes' }, { description: 'Attends at least 95% of sessions this term' }],
      provision: [
        { description: 'Emotional literacy support (ELSA) sessions', frequency: '1 x 30 minutes a week', by: 'ELSA' },
        { description: 'Morning check-in with a trusted adult', frequency: 'Daily', by: 'Pastoral lead' },
      ],
    },
    {
      outcomes: [{ description: 'Names two strategies for managing worry and uses one independently' }],
      provision: [{ description: 'Small nurture group', frequency: '2 x 45 minutes a week', by: 'Nurture lead' }],
    },
  ],
  ASD: [
    {
      outcomes: [{ description: 'Manages transitions between lessons using a now-and-next board' }, { description: 'Joins a structured group activity at break time' }],
      provision: [
        { description: 'Now-and-next board and advance warning of changes', frequency: 'Daily', by: 'Class teacher' },
        { description: 'Social communication group', frequency: '1 x 30 minutes a week', by: 'Teaching assistant' },
        { description: 'Access to a quiet space when overwhelmed', frequency: 'As needed', by: 'SENCO' },
      ],
    },
  ],
  MLD: [
    {
      outcomes: [{ description: 'Recalls number bonds to 10 quickly and accurately' }, { description: 'Reads a book at the next reading band with 90% accuracy' }],
      provision: [
        { description: 'Precision teaching of number facts', frequency: '4 x 10 minutes a week', by: 'Teaching assistant' },
        { description: 'Guided reading in a small group', frequency: '3 x 20 minutes a week', by: 'Class teacher' },
      ],
    },
  ],
  SPLD: [
    {
      outcomes: [{ description: 'Spells 20 high-frequency words correctly in independent writing' }, { description: 'Uses a writing frame to plan a paragraph' }],
      provision: [
        { description: 'Structured multisensory phonics and spelling programme', frequency: '3 x 20 minutes a week', by: 'Teaching assistant' },
        { description: 'Coloured overlays, writing frames and extra time in tests', frequency: 'Daily', by: 'Class teacher' },
      ],
    },
  ],
  DEFAULT: [
    {
      outcomes: [{ description: 'Takes part in whole-class lessons with the agreed adjustments in place' }, { description: 'Completes independent tasks with no more than one adult prompt' }],
      provision: [
        { description: 'Reasonable adjustments agreed with the family (seating, resources, rest breaks)', frequency: 'Daily', by: 'Class teacher' },
        { description: 'Targeted small-group support', frequency: '2 x 30 minutes a week', by: 'Teaching assistant' },
      ],
    },
  ],
};

/** Short, neutral review notes (about the plan, never sensitive detail about the child). */
export const DEMO_REVIEW_NOTES = [
  'Reviewed with parents; targets carried forward with small changes.',
  'Good progress; provision reduced for the next cycle.',
  'Review meeting held with the class teacher and family.',
  'New targets agreed; strategies shared with all staff.',
];

/**
 * Each demo locality's resource pools for the current academic year: the service, and the range
 * (in the service's unit, whole numbers of `step`) its capacity is drawn from. Nothing is
 * allocated yet.
 */
export interface DemoPoolRange {
  serviceCode: string;
  min: number;
  max: number;
  step: number;
}

export const DEMO_POOL_RANGES: DemoPoolRange[] = [
  { serviceCode: 'STLS', min: 300, max: 600, step: 10 },
  { serviceCode: 'SALT', min: 120, max: 240, step: 1 },
  { serviceCode: 'OT', min: 60, max: 120, step: 1 },
  { serviceCode: 'HNF', min: 40000, max: 120000, step: 500 },
];

/**
 * What a demo support request may ask for, by service: the amounts (valid for the service's
 * unit: HOURS in quarter hours, the others whole) and short, neutral reasons (about the support
 * tried, never sensitive detail about the child).
 */
export interface DemoRequestTemplate {
  serviceCode: string;
  units: number[];
  reasons: string[];
}

export const DEMO_REQUEST_TEMPLATES: DemoRequestTemplate[] = [
  {
    serviceCode: 'STLS',
    units: [6, 10, 12.5, 15, 20],
    reasons: ['Progress has stalled after two cycles of targeted small-group support', 'Advice wanted on adapting the curriculum and resources in class'],
  },
  {
    serviceCode: 'SALT',
    units: [6, 8, 10, 12],
    reasons: ['Speech sound difficulties persist after two cycles of in-class support', 'Understanding of spoken instructions remains well below age expectations'],
  },
  {
    serviceCode: 'OT',
    units: [4, 6, 8],
    reasons: ['Fine motor difficulties continue to limit written work despite support', 'Sensory strategies tried in class have not yet had the expected effect'],
  },
  {
    serviceCode: 'EP',
    units: [3, 4.5, 6],
    reasons: ['A consultation is wanted to understand a plateau in learning progress', 'The school would like advice on the next steps after two review cycles'],
  },
  {
    serviceCode: 'HNF',
    units: [2500, 4000, 6000, 8500],
    reasons: ['Additional adult support is needed beyond what the school can fund', 'Costed provision map exceeds the school’s notional SEN budget'],
  },
];

/** Why a demo request was withdrawn (neutral). */
export const DEMO_WITHDRAW_REASONS = [
  'Needs now met within the school’s own provision',
  'Family moving out of the area; request no longer needed',
];
