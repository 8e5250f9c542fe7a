/**
 * The scoped inventory: the cameras a principal reaches for a list action, filtered and paged by
 * one indexed query on whichever engine holds the inventory (scope.ts says how scope becomes data).
 * Used by the camera list, map, overview and exports.
 */
import type { DecisionContext, Principal } from '../authz/decide.ts';
import type { Action } from '../authz/policy.ts';
import type { InventoryRepository } from '../domain/repositories.ts';
import type { InventoryCamera } from '../domain/types.ts';
import type { InventoryFilter, Page } from './query.ts';
import { inventoryScopeFor, resolveFilter } from './scope.ts';

export class InventoryQueries {
  constructor(private readonly inventory: InventoryRepository) {}

  /** Every matching camera in scope (exports, duplicates). */
  async all(p: Principal, ctx: DecisionContext, action: Action, f: InventoryFilter): Promise<InventoryCamera[]> {
    return (await this.inventory.listScoped(inventoryScopeFor(p, action, ctx), resolveFilter(f, ctx.areas))).items;
  }

  /** One page (1-based) and the total. */
  async page(p: Principal, ctx: DecisionContext, action: Action, f: InventoryFilter, page: number, pageSize: number): Promise<Page<InventoryCamera>> {
    const { items, total } = await this.inventory.listScoped(inventoryScopeFor(p, action, ctx), resolveFilter(f, ctx.areas), { offset: (page - 1) * pageSize, limit: pageSize });
    return { items, page, pageSize, total };
  }
}
