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

  private readonly subtrees = new Map<string, Set<string>>();

  /** True when `areaId` is `rootId` or lies below it (subtrees memoised: called once per camera on list routes). */
  contains(rootId: string, areaId: string): boolean {
    let set = this.subtrees.get(rootId);
    if (!set) {
      set = this.subtree(rootId);
      this.subtrees.set(rootId, set);
    }
    return set.has(areaId);
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
