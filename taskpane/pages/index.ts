/**
 * The task pane's pages, in navigation order. A job adds its page with one line here:
 * a folder taskpane/pages/<id>/index.tsx exporting the component as default. Settings (partners,
 * delivery targets, Zoho connections and mappings) is for administrators.
 */
import type { ComponentType } from 'react';
import type { FluentIcon } from '@fluentui/react-icons';
import { DatabaseArrowDown20Regular, History20Regular, Table20Regular, ArrowUndo20Regular, ReceiptMoney20Regular, ArrowSwap20Regular } from '@fluentui/react-icons';
import { Payment20Regular, Settings20Regular, TaskListSquareLtr20Regular } from '@fluentui/react-icons';
import type { Role } from '../auth';
import type { HostKind } from '../host';
import { visibleTo, type PageAudience } from './visible';
import ChargebacksPage from './chargebacks';
import ActivityPage from './activity';
import DataPage from './data';
import WorkbookPage from './workbook';
import VretPage from './vret';
import SettlementsPage from './settlements';
import FifoPage from './fifo';
import SettingsPage from './settings';
import TuitionPage, { TUITION_ICON } from './tuition';
import ApprovalsPage from './approvals';
import { ApprovalsBadge } from './approvals/badge';

export interface PageEntry extends PageAudience {
  id: string;
  title: string;
  icon: FluentIcon;
  component: ComponentType;
  /** Shown beside the title in the navigation (e.g. how many batches wait for a decision). */
  badge?: ComponentType;
}

export const pages: readonly PageEntry[] = [
  { id: 'data', title: 'Data', icon: DatabaseArrowDown20Regular, component: DataPage },
  { id: 'approvals', title: 'Approvals', icon: TaskListSquareLtr20Regular, component: ApprovalsPage, badge: ApprovalsBadge },
  { id: 'fifo', title: 'FIFO', icon: ArrowSwap20Regular, component: FifoPage },
  { id: 'vendor-returns', title: 'Vendor returns', icon: ArrowUndo20Regular, component: VretPage },
  { id: 'settlements', title: 'Settlements', icon: ReceiptMoney20Regular, component: SettlementsPage },
  { id: 'chargebacks', title: 'Chargebacks', icon: Payment20Regular, component: ChargebacksPage },
  { id: 'tuition', title: 'Tuition', icon: TUITION_ICON, component: TuitionPage },
  { id: 'activity', title: 'Activity', icon: History20Regular, component: ActivityPage },
  { id: 'settings', title: 'Settings', icon: Settings20Regular, component: SettingsPage, roles: ['admin'] },
  { id: 'workbook', title: 'Workbook', icon: Table20Regular, component: WorkbookPage, hosts: ['preview'] },
];

export function pagesFor(host: HostKind, role?: Role | null): PageEntry[] {
  return visibleTo(pages, host, role);
}
