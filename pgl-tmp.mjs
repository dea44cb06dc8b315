import { PGlite } from '@electric-sql/pglite';
let t = performance.now();
const db = await PGlite.create(); console.log('create mem', (performance.now() - t).toFixed(0)); t = performance.now();
const dump = await db.dumpDataDir('none'); console.log('dump', (performance.now() - t).toFixed(0), dump.size); t = performance.now();
const db2 = await PGlite.create({ loadDataDir: dump }); console.log('create from dump', (performance.now() - t).toFixed(0)); t = performance.now();
const db3 = await PGlite.create(); console.log('create mem again', (performance.now() - t).toFixed(0));
