import { z } from 'zod';

/** Roles carried by API keys. Every route declares which of these it accepts. */
export const API_ROLES = ['reviewer', 'release-engineer', 'auditor', 'admin'] as const;
export const ApiRole = z.enum(API_ROLES);
export type ApiRole = z.infer<typeof ApiRole>;

/** Who did something, as recorded in the audit log. */
export interface Principal {
  /** `key:<api key id>`, `bootstrap-admin`, `system`, or `workflow:<id>` */
  id: string;
  name: string;
  roles: ApiRole[];
}
