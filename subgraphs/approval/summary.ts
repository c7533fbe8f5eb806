import type { ApprovalStore } from './store/approvalStore.ts';
import type { BusinessSystem, SystemDirectory } from './systems.ts';

export interface PendingApproval {
  system: BusinessSystem;
  count: number;
  /** When the business system's count last changed (the event's occurredAt). */
  updatedAt: Date;
  url: string;
}

export interface ApprovalSummary {
  total: number;
  items: PendingApproval[];
}

/**
 * The user's pending approvals in every configured system, sorted by system
 * id; systems with nothing waiting (count 0 or never heard of) are left out.
 */
export async function readSummary(store: ApprovalStore, systems: SystemDirectory, userId: string): Promise<ApprovalSummary> {
  const states = await store.readStates(
    userId,
    systems.all.map((s) => s.id),
  );
  const items: PendingApproval[] = [];
  for (const state of states) {
    const system = systems.get(state.system);
    if (!system || state.count === 0) continue;
    items.push({ system, count: state.count, updatedAt: state.occurredAt, url: system.url });
  }
  items.sort((a, b) => (a.system.id < b.system.id ? -1 : a.system.id > b.system.id ? 1 : 0));
  return { total: items.reduce((sum, item) => sum + item.count, 0), items };
}
