// Shipped reference data is upserted at every open, so a new release's data reaches an old database.
// User-made rows (source 'user', edited rules) are never overwritten.
import type { Database } from '../db/database.ts';
import { seedBodyReference } from './bodies-seed.ts';
import { seedClassificationReference } from './classification-seed.ts';
import { seedPlaceReference } from './places-seed.ts';

export async function seedReference(db: Database): Promise<void> {
  await seedBodyReference(db);
  await seedClassificationReference(db);
  await seedPlaceReference(db);
}
