/**
 * The task pane's pages, in navigation order. A job adds its page with one line here:
 * a folder taskpane/pages/<id>/index.tsx exporting the component as default.
 */
import type { ComponentType } from 'react';
import type { FluentIcon } from '@fluentui/react-icons';
import { DatabaseArrowDown20Regular, History20Regular, Table20Regular, ArrowUndo20Regular } from '@fluentui/react-icons';
import type { HostKind } from '../host';
import ActivityPage from './activity';
import DataPage from './data';
import WorkbookPage from './workbook';
import VretPage from './vret';

export interface PageEntry {
  id: string;
  title: string;
  icon: FluentIcon;
  component: ComponentType;
  /** Hosts the page appears in (default: all). */
  hosts?: readonly HostKind[];
}

export const pages: readonly PageEntry[] = [
  { id: 'data', title: 'Data', icon: DatabaseArrowDown20Regular, component: DataPage },
  { id: 'vendor-returns', title: 'Vendor returns', icon: ArrowUndo20Regular, component: VretPage },
  { id: 'activity', title: 'Activity', icon: History20Regular, component: ActivityPage },
  { id: 'workbook', title: 'Workbook', icon: Table20Regular, component: WorkbookPage, hosts: ['preview'] },
];

export function pagesFor(host: HostKind): PageEntry[] {
  return pages.filter((p) => !p.hosts || p.hosts.includes(host));
}
