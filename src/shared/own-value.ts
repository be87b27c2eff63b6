/**
 * A table's value for a key the table itself holds. A plain object also answers "constructor" (and any other
 * name it inherits) with a function; word lists and model tables are keyed by what members and operators type.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
