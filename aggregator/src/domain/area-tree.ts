/** The area tree in memory: subtree membership and ancestry, for scoping. Pure. */
import type { Area } from './types.ts';

export class AreaTree {
  private readonly byId = new Map<string, Area>();
  private readonly children = new Map<string, string[]>();

  constructor(areas: readonly Area[]) {
    for (const a of areas) this.byId.set(a.id, a);
    for (const a of areas) {
      if (!a.parentId) continue;
      const list = this.children.get(a.parentId) ?? [];
      list.push(a.id);
      this.children.set(a.parentId, list);
    }
  }

  get(id: string): Area | undefined {
    return this.byId.get(id);
  }

  all(): Area[] {
    return [...this.byId.values()];
  }

  /** The area and every area below it, at any depth. */
  subtree(rootId: string): Set<string> {
    const out = new Set<string>();
    if (!this.byId.has(rootId)) return out;
    const stack = [rootId];
    while (stack.length) {
      const id = stack.pop()!;
      if (out.has(id)) continue; // guards against a cycle in hand-edited data
      out.add(id);
      stack.push(...(this.children.get(id) ?? []));
    }
    return out;
  }

  /** True when `areaId` is `rootId` or lies below it. */
  contains(rootId: string, areaId: string): boolean {
    let cur: string | null | undefined = areaId;
    const seen = new Set<string>();
    while (cur && !seen.has(cur)) {
      if (cur === rootId) return true;
      seen.add(cur);
      cur = this.byId.get(cur)?.parentId;
    }
    return false;
  }

  /** The path from the root down to the area, e.g. ['hanoi', 'hoan-kiem']. */
  path(areaId: string): string[] {
    const out: string[] = [];
    let cur: string | null | undefined = areaId;
    while (cur && !out.includes(cur)) {
      out.unshift(cur);
      cur = this.byId.get(cur)?.parentId;
    }
    return out;
  }
}
