/** Counts as people read them (the pane, the batch sentences): 12,345. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 problem`, `3 problems`: a count with its noun. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
