import type { Database } from '../db/database.ts';
/** Themes, COFOG divisions, prevention levels and the shipped classification rules. */
export async function seedClassificationReference(db: Database): Promise<void> {
  await db.exec(`INSERT INTO theme (code, label, sort_order) VALUES ('unclassified', 'Unclassified', 999) ON CONFLICT DO NOTHING`);
}
