// The JSON API over the demonstration place: every endpoint returns what the services return (to the
// penny), bad parameters are 400s naming the parameter, unknown things 404s, individuals are never named
// in public, and the OpenAPI document describes exactly the routes the API router has, each answering
// its documented example with a response that fits its documented schema.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor } from '../helpers/web.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { loadDemoPlace } from '../../src/demo/load.ts';
import { attachBody, createPlace, findPlace } from '../../src/place/places.ts';
import { countPlace } from '../../src/place/count-service.ts';
import { deepDive } from '../../src/place/deep-dive.ts';
import { comparePlaces } from '../../src/place/count-compare.ts';
import { listBodies } from '../../src/place/bodies.ts';
import { bodySummary } from '../../src/ledger/summary.ts';
import { listSourceFiles } from '../../src/ledger/repository.ts';
import { findLines } from '../../src/ledger/lines.ts';
import { searchSuppliers, supplierSummary } from '../../src/ledger/suppliers.ts';
import { coverageReport, listRules, listTaxonomy } from '../../src/classify/service.ts';
import { apiRoutes } from '../../src/web/routes/api.ts';
import { insightApiRoutes } from '../../src/web/routes/insight.ts';
import { documentedPath, openApiDocument, type Operation } from '../../src/web/api/openapi.ts';

type Json = Record<string, unknown>;
type Schema = Json;

/** Checks a value against the JSON Schema subset the document uses; strict: an undeclared property is an error. */
function check(schema: Schema, value: unknown, at: string, root: Json): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace('#/', '').split('/').reduce<unknown>((o, k) => (o as Json)?.[k], root) as Schema | undefined;
    if (!target) return [`${at}: unresolved ${schema.$ref}`];
    return check(target, value, at, root);
  }
  if (Array.isArray(schema.anyOf)) {
    return (schema.anyOf as Schema[]).some((s) => check(s, value, at, root).length === 0) ? [] : [`${at}: fits none of anyOf (${JSON.stringify(value)?.slice(0, 80)})`];
  }
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type as string | string[]);
    const is = (t: string) => t === 'null' ? value === null : t === 'integer' ? Number.isInteger(value) : t === 'array' ? Array.isArray(value)
      : t === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value) : typeof value === t;
    if (!types.some(is)) return [`${at}: expected ${types.join(' or ')}, got ${JSON.stringify(value)?.slice(0, 80)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`];
  const errors: string[] = [];
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...check(schema.items as Schema, v, `${at}[${i}]`, root)));
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const props = schema.properties as Record<string, Schema> | undefined;
    for (const k of (schema.required as string[] | undefined) ?? []) if (!(k in value)) errors.push(`${at}: missing ${k}`);
    for (const [k, v] of Object.entries(value)) {
      if (props?.[k]) errors.push(...check(props[k]!, v, `${at}.${k}`, root));
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') errors.push(...check(schema.additionalProperties as Schema, v, `${at}.${k}`, root));
      else if (props) errors.push(`${at}: ${k} is not documented`);
    }
  }
  return errors;
}

const doc = openApiDocument();

/** The example URL of a documented path: path parameters and required query parameters from their examples. */
function exampleUrl(p: string, op: Operation): string {
  let url = p;
  const query = new URLSearchParams();
  for (const prm of op.parameters ?? []) {
    if (prm.in === 'path') url = url.replace(`{${prm.name}}`, encodeURIComponent(prm.example!));
    else if (prm.required) query.set(prm.name, prm.example!);
  }
  return query.size ? `${url}?${query}` : url;
}

const PLACE = 'DEMO-VALE';

for (const engine of engines) {
  describe(`JSON API (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    let web: RunningServer;
    /** Every JSON body the public got during the tests, to check no individual is named in any. */
    const seen: string[] = [];
    let individuals: { body_code: string; supplier_name: string; theme_code: string; month: string }[] = [];

    const get = async (url: string, cookie = ''): Promise<{ status: number; headers: Headers; body: Json; text: string }> => {
      const res = await fetch(web.url + url, { headers: { cookie } });
      const text = await res.text();
      if (!cookie) seen.push(text);
      return { status: res.status, headers: res.headers, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) as Json : {}, text };
    };
    const ok = async (url: string) => {
      const r = await get(url);
      assert.equal(r.status, 200, `${url}: ${r.text.slice(0, 300)}`);
      return r.body;
    };
    /** The same value as JSON would carry it (undefined properties dropped). */
    const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    const bad = async (url: string, name: string, status = 400) => {
      const r = await get(url);
      assert.equal(r.status, status, `${url}: ${r.text}`);
      assert.equal(typeof r.body.error, 'string');
      assert.match(r.body.error as string, new RegExp(`\\b${name}\\b`), `${url}: the message names ${name}`);
      assert.deepEqual(check({ $ref: '#/components/schemas/Error' }, r.body, url, doc as unknown as Json), []);
    };

    before(async () => {
      db = await engine.open();
      await loadDemoPlace(db, fs.mkdtempSync(path.join(os.tmpdir(), 'tp-api-')), 'test');
      await createPlace(db, { code: 'DEMO-SMALL', name: 'Demo Vale district only', areas: ['X07000001'] }, 'test');
      await attachBody(db, 'DEMO-SMALL', { body: 'DEMO-DISTRICT', rule: 'direct' }, 'test');
      individuals = await db.query(`SELECT DISTINCT body_code, supplier_name, theme_code, to_char(payment_date, 'YYYY-MM') AS month FROM spend_line WHERE payee_kind = 'individual' ORDER BY 1, 2, 3, 4`);
      web = await startTestServer(db);
    });
    after(async () => { await web.close(); await closeTestDatabase(db); });

    test('places: the list, a definition (without who edited it), and 404 for an unknown place', async () => {
      const list = await ok('/api/places');
      assert.deepEqual((list.places as Json[]).map((p) => p.code).sort(), ['DEMO-SMALL', PLACE]);
      const def = await ok(`/api/places/${PLACE.toLowerCase()}`);
      const place = (await findPlace(db, PLACE))!;
      const { updated_by: _by, ...expected } = place;
      assert.deepEqual(def, asJson(expected));
      assert.ok(!('updated_by' in def));
      await bad('/api/places/NOWHERE', 'NOWHERE', 404);
    });

    test('count: exactly countPlace (cached), for the latest year and a given one; bad year 400', async () => {
      assert.deepEqual(await ok(`/api/places/${PLACE}/count`), asJson(await countPlace(db, PLACE)));
      const c = await ok(`/api/places/${PLACE}/count?year=2023-24`);
      const expected = await countPlace(db, PLACE, { year: '2023-24' });
      assert.deepEqual(c, asJson(expected));
      assert.equal(c.total_pence, expected.total_pence);
      assert.ok(expected.total_pence > 0);
      assert.deepEqual(asJson(await web.ctx.counts.get(PLACE, { year: '2023-24' })), c, 'served from the count cache');
      await bad(`/api/places/${PLACE}/count?year=2023`, 'year');
      await bad(`/api/places/${PLACE}/count?year=2023-25`, 'year');
      await bad(`/api/places/${PLACE}/count?year=2023-24&year=2022-23`, 'year');
      await bad('/api/places/NOWHERE/count', 'NOWHERE', 404);
    });

    test('theme deep dive: exactly deepDive; unknown theme 404; bad year 400', async () => {
      const d = await ok(`/api/places/${PLACE}/themes/adult-social-care?year=2023-24`);
      assert.deepEqual(d, asJson(await deepDive(db, PLACE, 'adult-social-care', { year: '2023-24' })));
      assert.ok((d.total_pence as number) > 0);
      await bad(`/api/places/${PLACE}/themes/astrology`, 'astrology', 404);
      await bad(`/api/places/${PLACE}/themes/astrology.csv`, 'astrology', 404);
      await bad(`/api/places/${PLACE}/themes/adult-social-care?year=last`, 'year');
    });

    test('compare: exactly comparePlaces; with is needed and must exist', async () => {
      const r = await ok(`/api/places/${PLACE}/compare?with=demo-small&year=2023-24`);
      assert.deepEqual(r, asJson(await comparePlaces(db, PLACE, 'DEMO-SMALL', { year: '2023-24' })));
      await bad(`/api/places/${PLACE}/compare`, 'with');
      await bad(`/api/places/${PLACE}/compare?with=NOWHERE`, 'with');
      await bad('/api/places/NOWHERE/compare?with=DEMO-SMALL', 'NOWHERE', 404);
    });

    test('bodies: the register filtered as listBodies; a body with bodySummary and its files; 400 and 404', async () => {
      assert.deepEqual(await ok('/api/bodies?search=demo'), asJson({ bodies: await listBodies(db, { search: 'demo' }) }));
      const police = await ok('/api/bodies?type=police');
      assert.deepEqual(police, asJson({ bodies: await listBodies(db, { type: 'police' }) }));
      assert.ok((police.bodies as Json[]).length > 1);
      await bad('/api/bodies?type=wizards', 'type');
      const b = await ok('/api/bodies/demo-county?year=2023-24');
      assert.deepEqual(b.summary, asJson(await bodySummary(db, 'DEMO-COUNTY', '2023-24')));
      const files = await listSourceFiles(db, 'DEMO-COUNTY');
      assert.deepEqual((b.files as Json[]).map((f) => [f.file_name, f.rows_loaded, f.total_pence]), files.map((f) => [f.file_name, Number(f.rows_loaded), Number(f.total_pence)]));
      for (const f of b.files as Json[]) { assert.ok(!('file_path' in f)); assert.ok(!('loaded_by' in f)); }
      await bad('/api/bodies/DEMO-COUNTY?year=twenty', 'year');
      await bad('/api/bodies/NOBODY', 'NOBODY', 404);
    });

    test('suppliers: search and summary as the services give them; an individual cannot be looked up', async () => {
      assert.deepEqual(await ok('/api/suppliers?q=council'), asJson({ suppliers: await searchSuppliers(db, 'council') }));
      const s = await ok('/api/suppliers/demoshire%20county%20council?year=2023-24');
      assert.deepEqual(s, asJson(await supplierSummary(db, 'demoshire county council', { year: '2023-24' })));
      assert.ok((s.total_pence as number) > 0);
      await bad('/api/suppliers', 'q');
      await bad('/api/suppliers?q=a', 'q');
      await bad('/api/suppliers/Demoshire%20County%20Council?year=2023', 'year');
      await bad('/api/suppliers/Nobody%20At%20All%20Ltd', 'Nobody At All Ltd', 404);
      assert.ok(individuals.length > 0, 'the demo pays some individuals');
      const person = individuals[0]!.supplier_name;
      assert.equal((await get(`/api/suppliers/${encodeURIComponent(person)}`)).status, 404);
      assert.deepEqual((await ok(`/api/suppliers?q=${encodeURIComponent(person)}`)).suppliers, []);
    });

    test('transactions: a page of findLines (public view) with the totals and paging links', async () => {
      const bodies = ['DEMO-DISTRICT', 'DEMO-COUNTY'];
      const r = await ok(`/api/transactions?body=${bodies.join(',')}&year=2023-24&theme=housing-regeneration&per_page=7&page=2`);
      const expected = await findLines(db, { bodyCodes: bodies, year: '2023-24', theme: 'housing-regeneration', limit: 7, offset: 7, publicView: true });
      assert.deepEqual(r.lines, asJson(expected.lines));
      assert.equal(r.total_lines, expected.total_lines);
      assert.equal(r.total_pence, expected.total_pence);
      assert.ok(expected.total_lines > 14);
      assert.equal(r.pages, Math.ceil(expected.total_lines / 7));
      const links = r.links as Record<string, string>;
      assert.equal(links.next, '/api/transactions?body=DEMO-DISTRICT,DEMO-COUNTY&year=2023-24&theme=housing-regeneration&per_page=7&page=3');
      assert.equal(links.csv, '/api/transactions.csv?body=DEMO-DISTRICT,DEMO-COUNTY&year=2023-24&theme=housing-regeneration');
      // Following the links walks every line once.
      let url: string | null = links.first!;
      let walked = 0, pence = 0;
      while (url) {
        const page = await ok(url);
        walked += (page.lines as Json[]).length;
        pence += (page.lines as Json[]).reduce((s, l) => s + (l.amount_pence as number), 0);
        url = (page.links as Record<string, string | null>).next;
      }
      assert.equal(walked, expected.total_lines);
      assert.equal(pence, expected.total_pence);
      const byDate = await ok('/api/transactions?body=DEMO-FIRE&order=date&month=2023-06');
      assert.deepEqual(byDate.lines, asJson((await findLines(db, { bodyCodes: ['DEMO-FIRE'], order: 'date', month: '2023-06', publicView: true })).lines));
      assert.equal((await get('/api/transactions?body=DEMO-FIRE')).headers.get('cache-control'), 'public, max-age=60');
    });

    test('transactions: every parameter is checked, and the message names it', async () => {
      const q = '/api/transactions?body=DEMO-DISTRICT';
      await bad('/api/transactions', 'body');
      await bad('/api/transactions?body=DEMO-DISTRICT,NOBODY', 'body');
      await bad(`${q}&year=2023`, 'year');
      await bad(`${q}&month=2023-13`, 'month');
      await bad(`${q}&month=May`, 'month');
      await bad(`${q}&year=2023-24&month=2024-04`, 'month');
      await bad(`${q}&theme=astrology`, 'theme');
      await bad(`${q}&cofog=99`, 'cofog');
      await bad(`${q}&prevention=cure`, 'prevention');
      await bad(`${q}&payee_body=NOBODY`, 'payee_body');
      await bad(`${q}&order=random`, 'order');
      await bad(`${q}&page=0`, 'page');
      await bad(`${q}&page=two`, 'page');
      await bad(`${q}&page=2000`, 'page');
      await bad(`${q}&per_page=1001`, 'per_page');
      await bad(`${q}&per_page=0`, 'per_page');
      await bad(`${q}&supplier=${'x'.repeat(201)}`, 'supplier');
      // Codes in any case, cofog/prevention "unknown" accepted.
      assert.equal((await get('/api/transactions?body=demo-district&cofog=unknown&prevention=unknown&theme=HOUSING-REGENERATION')).status, 200);
    });

    test('individuals: never named publicly; a partner of the paying body sees them, privately', async () => {
      const person = individuals[0]!;
      const body = person.body_code;
      // The month and theme of a payment to a person: the public sees the line, not the name.
      const where = `body=${body}&theme=${person.theme_code}&month=${person.month}&per_page=1000`;
      const pub = await ok(`/api/transactions?${where}`);
      const theirs = (pub.lines as Json[]).filter((l) => l.payee_kind === 'individual');
      assert.ok(theirs.length > 0);
      for (const l of theirs) { assert.equal(l.supplier_name, 'Individual (name withheld)'); assert.equal(l.description, null); }
      assert.equal(pub.individuals_named, false);
      const byName = await ok(`/api/transactions?body=${body}&supplier=${encodeURIComponent(person.supplier_name)}`);
      assert.equal(byName.total_lines, 0, 'a person cannot be found by name');

      await addUser(db, 'viewer@demo.example', 'viewer', body);
      const v = new Visitor(web.url);
      await v.signIn('viewer@demo.example');
      const cookie = [...v.cookies].map(([k, val]) => `${k}=${val}`).join('; ');
      const own = await get(`/api/transactions?${where}`, cookie);
      assert.equal(own.body.individuals_named, true);
      assert.equal(own.headers.get('cache-control'), 'private, no-store');
      assert.ok(own.text.includes(JSON.stringify(person.supplier_name)));
      const ownByName = await get(`/api/transactions?body=${body}&supplier=${encodeURIComponent(person.supplier_name)}`, cookie);
      assert.ok((ownByName.body.total_lines as number) > 0, 'the partner can find them by name');
      const other = body === 'DEMO-COUNTY' ? 'DEMO-DISTRICT' : 'DEMO-COUNTY';
      const mixed = await get(`/api/transactions?${where.replace(`body=${body}`, `body=${body},${other}`)}`, cookie);
      assert.equal(mixed.body.individuals_named, false);
      assert.ok(!mixed.text.includes(JSON.stringify(person.supplier_name)), 'not when another body is asked for too');
    });

    test('taxonomy, rules and coverage as the services give them; coverage examples withheld from the public', async () => {
      assert.deepEqual(await ok('/api/taxonomy'), asJson(await listTaxonomy(db)));
      assert.deepEqual(await ok('/api/rules'), asJson({ rules: await listRules(db) }));
      const cov = await ok('/api/coverage?body=DEMO-COUNTY');
      const expected = await coverageReport(db, { bodyCode: 'DEMO-COUNTY' });
      assert.deepEqual(cov.overall, asJson(expected.overall));
      assert.deepEqual(cov.bodies, asJson(expected.bodies));
      assert.deepEqual((cov.unclassified_groups as Json[]).map((g) => [g.fields, g.value_pence, g.example_supplier]), expected.unclassified_groups.map((g) => [g.fields, g.value_pence, null]));
      await bad('/api/coverage?body=NOBODY', 'body');
      await bad('/api/coverage?body=DEMO-COUNTY,DEMO-FIRE', 'body');
    });

    test('every route of the API router is documented, and every documented path is a route', () => {
      const routes = [...apiRoutes(web.ctx).stack, ...insightApiRoutes(web.ctx).stack].filter((l) => l.route).flatMap((l) => Object.keys((l.route as unknown as { methods: Record<string, boolean> }).methods)
        .map((m) => `${m.toUpperCase()} ${documentedPath(l.route!.path)}`));
      const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
      assert.deepEqual([...routes].sort(), [...documented].sort());
      assert.ok(routes.length >= 20);
    });

    test('the OpenAPI document: 3.1, every $ref resolves, every path has a 200 response and its path parameters', () => {
      assert.equal(doc.openapi, '3.1.0');
      const text = JSON.stringify(doc);
      for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) assert.ok(doc.components.schemas[m[1]!], `schema ${m[1]} exists`);
      for (const [p, ops] of Object.entries(doc.paths)) {
        for (const op of Object.values(ops)) {
          assert.ok(op.responses['200'], `${p} documents its 200 response`);
          const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
          assert.deepEqual((op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name), inPath, `${p} declares its path parameters`);
          for (const prm of op.parameters ?? []) if (prm.in === 'path' || prm.required) assert.ok(prm.example, `${p} ${prm.name} has an example`);
        }
      }
      assert.equal(text.includes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'), true);
      assert.equal(text.includes('"text/csv"'), true);
    });

    test('every documented path answers its example with the documented media type, and JSON fits its schema', async () => {
      for (const [p, ops] of Object.entries(doc.paths)) {
        for (const op of Object.values(ops)) {
          const url = exampleUrl(p, op);
          const res = await fetch(web.url + url);
          const bytes = Buffer.from(await res.arrayBuffer());
          assert.equal(res.status, 200, `${url}: ${bytes.toString('utf8').slice(0, 300)}`);
          const [mediaType, media] = Object.entries(op.responses['200']!.content!)[0]!;
          assert.equal(res.headers.get('content-type')?.split(';')[0], mediaType, url);
          if (mediaType === 'application/json') {
            const text = bytes.toString('utf8');
            seen.push(text);
            assert.deepEqual(check(media.schema, JSON.parse(text), url, doc as unknown as Json), [], `${url} fits its schema`);
          }
          if (mediaType !== 'application/json' && mediaType !== 'text/html') assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename=/, url);
        }
      }
    });

    test('the schemas are strict enough to catch an undocumented field', () => {
      const line = { $ref: '#/components/schemas/SupplierMatch' };
      assert.deepEqual(check(line, { supplier_name: 'A', bodies: 1, lines: 2, total_pence: 3 }, 'x', doc as unknown as Json), []);
      assert.notDeepEqual(check(line, { supplier_name: 'A', bodies: 1, lines: 2, total_pence: 3, secret: 1 }, 'x', doc as unknown as Json), []);
      assert.notDeepEqual(check(line, { supplier_name: 'A', bodies: 1, lines: 2, total_pence: 3.5 }, 'x', doc as unknown as Json), []);
    });

    test('the /api page lists every endpoint and links to the OpenAPI document, with no inline style or script', async () => {
      const r = await get('/api');
      assert.equal(r.status, 200);
      assert.match(r.text, /href="\/api\/openapi\.json"/);
      for (const p of Object.keys(doc.paths)) assert.ok(r.text.includes(p.replace(/&/g, '&amp;')), p);
      assert.doesNotMatch(r.text, /\sstyle="/);
      assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/);
    });

    test('no public response named an individual', () => {
      assert.ok(seen.length > 30);
      for (const text of seen) {
        for (const i of individuals) assert.ok(!text.includes(JSON.stringify(i.supplier_name)), `${i.supplier_name} appears in a public response`);
      }
    });
  });
}
