import type { Database } from '../db/database.ts';
/** Body types and the shipped register of public bodies. */
export async function seedBodyReference(db: Database): Promise<void> {
  await db.exec(`INSERT INTO body_type (code, label, sort_order) VALUES ('other', 'Other public body', 99) ON CONFLICT DO NOTHING`);
}
