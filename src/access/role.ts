/** The roles of API.md's roles table. */
export const ROLES = ['SENCO', 'PANEL', 'PROVIDER', 'CASEWORKER', 'MANAGER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Kent's Area Boards; an area is data (locality.area), this list only documents the demo. */
export const DEMO_AREAS = ['North', 'West', 'East', 'South'] as const;
