/** Which pages a host and a signed-in role see: kept apart from the page list so it is tested without the pages. */
import type { Role } from '../auth';
import type { HostKind } from '../host';

export interface PageAudience {
  /** Hosts the page appears in (default: all). */
  hosts?: readonly HostKind[];
  /** Roles the page is shown to (default: every signed-in role). */
  roles?: readonly Role[];
}

export function visibleTo<P extends PageAudience>(pages: readonly P[], host: HostKind, role?: Role | null): P[] {
  return pages.filter((p) => (!p.hosts || p.hosts.includes(host)) && (!p.roles || (!!role && p.roles.includes(role))));
}
