// V8 keeps a substring as a view on its parent string. A long-lived cache keyed by cells of a CSV
// chunk would then pin every 64 KB chunk the cells came from; detach() copies the key out first.
export function detach<T extends string | null>(s: T): T {
  if (s === null || s.length < 13) return s; // V8 copies short substrings anyway
  return (s + ' ').slice(0, -1) as T;
}
