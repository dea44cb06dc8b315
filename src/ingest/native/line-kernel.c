// Ingest's hot loop in C: the plain lines of a CSV sheet (offsets into a UTF-16 copy of the decoded text,
// as CsvParser.pushLines gives them) become COPY rows of the file's fact table, with their group found and
// tallied by group and month. It does exactly what the fast path of makeRowConverter (rows.ts) describes;
// everything that needs judgement stays in TypeScript and is asked for only when something new turns up:
//   - a cell text not seen before in its column (MISS): TypeScript normalises it and gives its value id;
//   - a line that is not plain (SLOW): quotes, too few cells, a repeated header, an amount or date that is
//     not plainly written, a reference that needs cleaning; TypeScript converts or rejects it itself;
//   - a new payee x coding x description tuple: the kernel numbers the group and lists it (pending); after
//     the call TypeScript classifies it and tells the kernel its theme;
//   - a line that may be among the largest of its year and theme: listed as a candidate for TypeScript.
// Nothing here is a second source of truth: value ids, groups, classifications and top lists are all made
// by the TypeScript side, which this only looks up.
#include <node_api.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ST_DONE = 0, ST_MISS = 1, ST_SLOW = 2, ST_OUT_FULL = 3, ST_CAND_FULL = 4, ST_GROUPS_FULL = 5 };
// Slots of the shared state array (Int32Array) and of the shared Float64Array.
enum { S_K = 0, S_OUTPOS, S_LINEID, S_ACCEPTED, S_MISS_COL, S_MISS_S, S_MISS_E, S_NCAND, S_NNEW, S_NEXTGID, S_SIZE };
enum { F_TOTAL = 0 };
// Candidate fields (doubles): line id, group id, fy start, |pence|, row start, row end.
#define CAND_FIELDS 6
// Column entries kept before a column forgets its cell texts (the ids stay with TypeScript).
#define CACHE_LIMIT 1000000
#define MAX_COLS 64

typedef struct {
  uint32_t *table; uint32_t mask;      // slot -> entry + 1
  uint32_t n, cap;
  uint32_t *hash; int32_t *id; uint32_t *off; uint32_t *len;
  uint16_t *arena; size_t alen, acap;
  int index;                           // the column's position in the line
} Column;

// Sums of lines and pence by an int64 key: the tallies by (group, month) and what foldCells sums them into.
typedef struct { int64_t *key; double *lines; int64_t *pence; uint32_t *table; uint32_t mask, n, cap; } Agg;

typedef struct {
  int ncut, delimiter, iDate, iNet, iGross, iVat, iRef, hdrIndex, n;
  uint16_t *hdr; int hdrLen;
  Column cols[MAX_COLS + 1];           // cols[0]: the date; cols[1..n]: the descriptive columns
  // Dates by value id.
  uint8_t *dateOk; char *dateIso; int32_t *dateMonth, *dateFy; int32_t dateCap;
  // Groups: tuples of n value ids -> gid; theme by gid (-1 until TypeScript has classified it).
  int32_t *gkeys; int32_t *ggid; uint32_t *gtable; uint32_t gmask, gn, gcap;
  int32_t *gidTheme; int32_t gidCap;
  // Tallies by (gid, month slot): each group's first month in arrays by gid (a monthly file's lines all
  // land there, without a hash probe), its lines in any other month in `tally`.
  int32_t *gMonth; double *gLines; int64_t *gPence; int32_t gCap;
  Agg tally;
  // Cutoffs of the top lists by fy start * 1024 + theme.
  int32_t *ckey; double *cval; uint32_t cmask, cn;
  // The current batch.
  uint16_t *text; size_t textCap; int32_t *start, *end, *line; int32_t count, batchCap;
  // Shared with TypeScript (kept alive by references).
  int32_t *st; double *stF; double *cand; int32_t candCap; int32_t *pend; int32_t pendCap; int32_t *ids;
  napi_ref refs[5];
  int32_t cs[MAX_COLS * 4], ce[MAX_COLS * 4];
  int32_t key[MAX_COLS];
  int released;
} Kernel;

static void *grow(void *p, size_t bytes) {
  void *q = realloc(p, bytes);
  if (!q) abort();
  return q;
}

static uint32_t mix(uint32_t h) { h ^= h >> 16; h *= 0x7feb352d; h ^= h >> 15; h *= 0x846ca68b; h ^= h >> 16; return h; }

static uint32_t hashUnits(const uint16_t *t, int s, int e) {
  uint32_t h = 0x811c9dc5u ^ (uint32_t)(e - s);
  for (int i = s; i < e; i++) h = (h ^ t[i]) * 0x01000193u;
  return mix(h);
}

static void columnInit(Column *c, int index) {
  memset(c, 0, sizeof *c);
  c->index = index;
  c->mask = 1023;
  c->table = calloc(1024, sizeof(uint32_t));
}

static void columnFree(Column *c) {
  free(c->table); free(c->hash); free(c->id); free(c->off); free(c->len); free(c->arena);
}

static void columnGrowTable(Column *c) {
  uint32_t size = (c->mask + 1) * 2, mask = size - 1;
  uint32_t *t = calloc(size, sizeof(uint32_t));
  for (uint32_t e = 0; e < c->n; e++) {
    uint32_t slot = c->hash[e] & mask;
    while (t[slot]) slot = (slot + 1) & mask;
    t[slot] = e + 1;
  }
  free(c->table); c->table = t; c->mask = mask;
}

/** The value id of text[s, e) in the column, or -1 when it has not been seen. */
static int32_t columnFind(const Column *c, const uint16_t *text, int s, int e, uint32_t h) {
  uint32_t slot = h & c->mask;
  int n = e - s;
  for (;;) {
    uint32_t entry = c->table[slot];
    if (!entry) return -1;
    entry--;
    if (c->hash[entry] == h && c->len[entry] == (uint32_t)n && memcmp(c->arena + c->off[entry], text + s, (size_t)n * 2) == 0) return c->id[entry];
    slot = (slot + 1) & c->mask;
  }
}

static void columnAdd(Column *c, const uint16_t *text, int s, int e, uint32_t h, int32_t id) {
  if (c->n >= CACHE_LIMIT) { // a column of mostly distinct cells: start again rather than grow without end
    memset(c->table, 0, (c->mask + 1) * sizeof(uint32_t));
    c->n = 0; c->alen = 0;
  }
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 1024;
    c->hash = grow(c->hash, c->cap * sizeof(uint32_t)); c->id = grow(c->id, c->cap * sizeof(int32_t));
    c->off = grow(c->off, c->cap * sizeof(uint32_t)); c->len = grow(c->len, c->cap * sizeof(uint32_t));
  }
  size_t n = (size_t)(e - s);
  if (c->alen + n > c->acap) {
    while (c->alen + n > c->acap) c->acap = c->acap ? c->acap * 2 : 65536;
    c->arena = grow(c->arena, c->acap * 2);
  }
  memcpy(c->arena + c->alen, text + s, n * 2);
  uint32_t entry = c->n++;
  c->hash[entry] = h; c->id[entry] = id; c->off[entry] = (uint32_t)c->alen; c->len[entry] = (uint32_t)n;
  c->alen += n;
  uint32_t slot = h & c->mask;
  while (c->table[slot]) slot = (slot + 1) & c->mask;
  c->table[slot] = entry + 1;
  if (c->n * 2 > c->mask) columnGrowTable(c);
}

static uint32_t hashInts(const int32_t *k, int n) {
  uint32_t h = 0x811c9dc5u;
  for (int i = 0; i < n; i++) h = (h ^ (uint32_t)k[i]) * 0x01000193u;
  return mix(h);
}

static void groupsRehash(Kernel *K) {
  uint32_t size = (K->gmask + 1) * 2, mask = size - 1;
  uint32_t *t = calloc(size, sizeof(uint32_t));
  for (uint32_t e = 0; e < K->gn; e++) {
    uint32_t slot = hashInts(K->gkeys + (size_t)e * K->n, K->n) & mask;
    while (t[slot]) slot = (slot + 1) & mask;
    t[slot] = e + 1;
  }
  free(K->gtable); K->gtable = t; K->gmask = mask;
}

/** The gid of the tuple in K->key, or 0; *slotOut gets the free slot where it would go. */
static int32_t groupFind(Kernel *K, uint32_t h, uint32_t *slotOut) {
  uint32_t slot = h & K->gmask;
  for (;;) {
    uint32_t e = K->gtable[slot];
    if (!e) { *slotOut = slot; return 0; }
    e--;
    if (memcmp(K->gkeys + (size_t)e * K->n, K->key, (size_t)K->n * 4) == 0) return K->ggid[e];
    slot = (slot + 1) & K->gmask;
  }
}

static void setGidTheme(Kernel *K, int32_t gid, int32_t theme) {
  if (gid >= K->gidCap) {
    int32_t cap = K->gidCap ? K->gidCap : 1024;
    while (cap <= gid) cap *= 2;
    K->gidTheme = grow(K->gidTheme, (size_t)cap * 4);
    for (int32_t i = K->gidCap; i < cap; i++) K->gidTheme[i] = -1;
    K->gidCap = cap;
  }
  K->gidTheme[gid] = theme;
}

static void groupAdd(Kernel *K, uint32_t slot, int32_t gid) {
  if (K->gn == K->gcap) {
    K->gcap = K->gcap ? K->gcap * 2 : 4096;
    K->gkeys = grow(K->gkeys, (size_t)K->gcap * K->n * 4 + 4);
    K->ggid = grow(K->ggid, (size_t)K->gcap * 4);
  }
  uint32_t e = K->gn++;
  memcpy(K->gkeys + (size_t)e * K->n, K->key, (size_t)K->n * 4);
  K->ggid[e] = gid;
  K->gtable[slot] = e + 1;
  if (K->gn * 2 > K->gmask) groupsRehash(K);
}

static void aggAdd(Agg *a, int64_t key, double lines, int64_t pence) {
  if (!a->table) { a->mask = 1023; a->table = calloc(1024, 4); }
  uint32_t slot = mix((uint32_t)key ^ (uint32_t)(key >> 32) * 0x9e3779b1u) & a->mask;
  for (;;) {
    uint32_t e = a->table[slot];
    if (!e) break;
    if (a->key[e - 1] == key) { a->lines[e - 1] += lines; a->pence[e - 1] += pence; return; }
    slot = (slot + 1) & a->mask;
  }
  if (a->n == a->cap) {
    a->cap = a->cap ? a->cap * 2 : 1024;
    a->key = grow(a->key, (size_t)a->cap * 8); a->lines = grow(a->lines, (size_t)a->cap * 8); a->pence = grow(a->pence, (size_t)a->cap * 8);
  }
  uint32_t e = a->n++;
  a->key[e] = key; a->lines[e] = lines; a->pence[e] = pence;
  a->table[slot] = e + 1;
  if (a->n * 2 > a->mask) {
    uint32_t size = (a->mask + 1) * 2, mask = size - 1;
    uint32_t *t = calloc(size, 4);
    for (uint32_t k = 0; k < a->n; k++) {
      uint32_t sl = mix((uint32_t)a->key[k] ^ (uint32_t)(a->key[k] >> 32) * 0x9e3779b1u) & mask;
      while (t[sl]) sl = (sl + 1) & mask;
      t[sl] = k + 1;
    }
    free(a->table); a->table = t; a->mask = mask;
  }
}

static void aggFree(Agg *a) { free(a->key); free(a->lines); free(a->pence); free(a->table); memset(a, 0, sizeof *a); }

static void tally(Kernel *K, int32_t gid, int32_t month, int64_t pence) {
  if (gid >= K->gCap) {
    int32_t cap = K->gCap ? K->gCap : 1024;
    while (cap <= gid) cap *= 2;
    K->gMonth = grow(K->gMonth, (size_t)cap * 4); K->gLines = grow(K->gLines, (size_t)cap * 8); K->gPence = grow(K->gPence, (size_t)cap * 8);
    for (int32_t i = K->gCap; i < cap; i++) K->gMonth[i] = -1;
    K->gCap = cap;
  }
  if (K->gMonth[gid] < 0) { K->gMonth[gid] = month; K->gLines[gid] = 1; K->gPence[gid] = pence; }
  else if (K->gMonth[gid] == month) { K->gLines[gid] += 1; K->gPence[gid] += pence; }
  else aggAdd(&K->tally, (int64_t)gid * 4096 + month, 1, pence);
}

static double cutoffOf(const Kernel *K, int32_t key) {
  uint32_t slot = mix((uint32_t)key) & K->cmask;
  for (;;) {
    int32_t k = K->ckey[slot];
    if (k == INT32_MIN) return -1;
    if (k == key) return K->cval[slot];
    slot = (slot + 1) & K->cmask;
  }
}

static void setCutoff(Kernel *K, int32_t key, double v) {
  if ((K->cn + 1) * 2 > K->cmask) {
    uint32_t size = (K->cmask + 1) * 2, mask = size - 1;
    int32_t *nk = malloc(size * 4); double *nv = malloc(size * 8);
    for (uint32_t i = 0; i < size; i++) nk[i] = INT32_MIN;
    for (uint32_t i = 0; i <= K->cmask; i++) {
      if (K->ckey[i] == INT32_MIN) continue;
      uint32_t slot = mix((uint32_t)K->ckey[i]) & mask;
      while (nk[slot] != INT32_MIN) slot = (slot + 1) & mask;
      nk[slot] = K->ckey[i]; nv[slot] = K->cval[i];
    }
    free(K->ckey); free(K->cval); K->ckey = nk; K->cval = nv; K->cmask = mask;
  }
  uint32_t slot = mix((uint32_t)key) & K->cmask;
  while (K->ckey[slot] != INT32_MIN && K->ckey[slot] != key) slot = (slot + 1) & K->cmask;
  if (K->ckey[slot] == INT32_MIN) K->cn++;
  K->ckey[slot] = key; K->cval[slot] = v;
}

/** An amount written plainly (-1234, 1234.5, 1234.56), as plainPence in rows.ts; NAN for anything else. */
static double plainPence(const uint16_t *t, int s, int e) {
  int i = s, neg = 0;
  if (i < e && t[i] == '-') { neg = 1; i++; }
  int digits = i;
  int64_t whole = 0;
  while (i < e) { int c = (int)t[i] - 48; if (c < 0 || c > 9) break; whole = whole * 10 + c; i++; }
  int nw = i - digits;
  if (nw == 0 || nw > 13) return NAN;
  int64_t frac = 0;
  if (i < e) {
    if (t[i] != '.' || e - i > 3 || e - i < 2) return NAN;
    int d1 = (int)t[i + 1] - 48;
    if (d1 < 0 || d1 > 9) return NAN;
    frac = d1 * 10;
    if (e - i == 3) { int d2 = (int)t[i + 2] - 48; if (d2 < 0 || d2 > 9) return NAN; frac += d2; }
  }
  int64_t p = whole * 100 + frac;
  return (double)(neg ? -p : p);
}

/** As plainText in rows.ts: printable ASCII, no backslash, no space at either end or twice. */
static int plainText(const uint16_t *t, int s, int e) {
  if (s == e) return 0;
  int prevSpace = 1;
  for (int i = s; i < e; i++) {
    uint16_t c = t[i];
    if (c == 32) { if (prevSpace) return 0; prevSpace = 1; continue; }
    if (c < 33 || c > 126 || c == 92) return 0;
    prevSpace = 0;
  }
  return !prevSpace;
}

static uint8_t *writeInt(uint8_t *p, int64_t v) {
  if (v < 0) { *p++ = '-'; v = -v; }
  char tmp[24]; int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *p++ = (uint8_t)tmp[--n];
  return p;
}

/** Runs the batch from st[S_K] until it ends or something needs TypeScript; see the header. */
static int runBatch(Kernel *K, uint8_t *out, size_t outCap) {
  int32_t *st = K->st;
  const uint16_t *text = K->text;
  const int n = K->n, ncut = K->ncut;
  const uint16_t delim = (uint16_t)K->delimiter;
  int32_t *cs = K->cs, *ce = K->ce;
  size_t pos = (size_t)st[S_OUTPOS];
  int64_t lineId = st[S_LINEID];
  int32_t nextGid = st[S_NEXTGID];
  int32_t accepted = st[S_ACCEPTED], ncand = st[S_NCAND], nnew = st[S_NNEW];
  double total = K->stF[F_TOTAL];
  int status = ST_DONE;
  int32_t k = st[S_K];
  for (; k < K->count; k++) {
    int s = K->start[k], e = K->end[k];
    if (s < 0) { status = ST_SLOW; break; }
    int p = s;
    while (p < e) { uint16_t c = text[p]; if (c != delim && c != 32 && c != 9) break; p++; }
    if (p == e) continue; // blank
    if (text[p] > 126) { status = ST_SLOW; break; }
    // Cells up to the last column needed.
    int kk = 0, short_ = 0;
    p = s;
    for (;;) {
      int d = p;
      while (d < e && text[d] != delim) d++;
      cs[kk] = p; ce[kk] = d; kk++;
      if (kk >= ncut) break;
      if (d == e) { short_ = 1; break; }
      p = d + 1;
    }
    if (short_) { status = ST_SLOW; break; }
    if (K->hdrLen >= 0) {
      int a = cs[K->hdrIndex], b = ce[K->hdrIndex];
      while (a < b && text[a] == 32) a++;
      while (b > a && text[b - 1] == 32) b--;
      if (b - a == K->hdrLen && memcmp(text + a, K->hdr, (size_t)K->hdrLen * 2) == 0) { status = ST_SLOW; break; }
    }
    // The date, then the amounts, then the descriptive cells.
    int ds = cs[K->iDate], de = ce[K->iDate];
    uint32_t dh = hashUnits(text, ds, de);
    int32_t dv = columnFind(&K->cols[0], text, ds, de, dh);
    if (dv < 0) { st[S_MISS_COL] = 0; st[S_MISS_S] = ds; st[S_MISS_E] = de; status = ST_MISS; break; }
    if (dv >= K->dateCap || !K->dateOk[dv]) { status = ST_SLOW; break; }
    double pence, vat = NAN, gross = NAN;
    int hasVat = 0, hasGross = 0, slow = 0;
    if (K->iVat >= 0) {
      vat = plainPence(text, cs[K->iVat], ce[K->iVat]);
      if (vat != vat) { if (cs[K->iVat] != ce[K->iVat]) slow = 1; } else hasVat = 1;
    }
    if (!slow && K->iNet >= 0) {
      pence = plainPence(text, cs[K->iNet], ce[K->iNet]);
      if (pence != pence) slow = 1;
      else if (K->iGross >= 0) {
        gross = plainPence(text, cs[K->iGross], ce[K->iGross]);
        if (gross != gross) { if (cs[K->iGross] != ce[K->iGross]) slow = 1; } else hasGross = 1;
      }
    } else if (!slow) {
      gross = plainPence(text, cs[K->iGross], ce[K->iGross]);
      if (gross != gross) slow = 1;
      else { hasGross = 1; pence = gross - (hasVat ? vat : 0); }
    }
    if (slow) { status = ST_SLOW; break; }
    int miss = 0;
    for (int j = 0; j < n; j++) {
      Column *c = &K->cols[j + 1];
      int a = cs[c->index], b = ce[c->index];
      int32_t v = columnFind(c, text, a, b, hashUnits(text, a, b));
      if (v < 0) { st[S_MISS_COL] = j + 1; st[S_MISS_S] = a; st[S_MISS_E] = b; miss = 1; break; }
      K->key[j] = v;
    }
    if (miss) { status = ST_MISS; break; }
    int rs = 0, re = 0;
    if (K->iRef >= 0) {
      rs = cs[K->iRef]; re = ce[K->iRef];
      if (rs != re && !plainText(text, rs, re)) { status = ST_SLOW; break; }
    }
    size_t need = 8 * 24 + 16 + (size_t)(re - rs);
    if (pos + need > outCap) { status = ST_OUT_FULL; break; }
    // The group: found, or numbered here and listed for TypeScript to classify.
    uint32_t slot = 0;
    int32_t gid = groupFind(K, hashInts(K->key, n), &slot);
    if (!gid) {
      gid = nextGid++;
      groupAdd(K, slot, gid);
      setGidTheme(K, gid, -1);
      int32_t *pe = K->pend + (size_t)nnew * (2 + n);
      pe[0] = gid; pe[1] = -1;
      memcpy(pe + 2, K->key, (size_t)n * 4);
      nnew++;
    }
    lineId++;
    uint8_t *o = out + pos, *rowStart = o;
    o = writeInt(o, lineId); *o++ = 9;
    o = writeInt(o, K->line[k]); *o++ = 9;
    memcpy(o, K->dateIso + (size_t)dv * 10, 10); o += 10; *o++ = 9;
    int64_t pp = (int64_t)pence;
    o = writeInt(o, pp); *o++ = 9;
    if (hasVat) o = writeInt(o, (int64_t)vat); else { *o++ = '\\'; *o++ = 'N'; }
    *o++ = 9;
    if (hasGross) o = writeInt(o, (int64_t)gross); else { *o++ = '\\'; *o++ = 'N'; }
    *o++ = 9;
    o = writeInt(o, gid); *o++ = 9;
    if (K->iRef < 0 || rs == re) { *o++ = '\\'; *o++ = 'N'; }
    else for (int i = rs; i < re; i++) *o++ = (uint8_t)text[i];
    *o++ = 10;
    size_t rowPos = pos;
    pos = (size_t)(o - out);
    (void)rowStart;
    tally(K, gid, K->dateMonth[dv], pp);
    total += (double)pp;
    accepted++;
    // A candidate for the year's and theme's largest lines?
    double abs = pp < 0 ? (double)-pp : (double)pp;
    int32_t theme = gid < K->gidCap ? K->gidTheme[gid] : -1;
    if (theme < 0 || abs > cutoffOf(K, K->dateFy[dv] * 1024 + theme)) {
      double *c = K->cand + (size_t)ncand * CAND_FIELDS;
      c[0] = (double)lineId; c[1] = gid; c[2] = K->dateFy[dv]; c[3] = abs; c[4] = (double)rowPos; c[5] = (double)pos;
      ncand++;
    }
    if (ncand >= K->candCap) { k++; status = ST_CAND_FULL; break; }
    if (nnew >= K->pendCap) { k++; status = ST_GROUPS_FULL; break; }
  }
  st[S_K] = k; st[S_OUTPOS] = (int32_t)pos; st[S_LINEID] = (int32_t)lineId; st[S_NEXTGID] = nextGid;
  st[S_ACCEPTED] = accepted; st[S_NCAND] = ncand; st[S_NNEW] = nnew;
  K->stF[F_TOTAL] = total;
  return status;
}

// ---------------------------------------------------------------------------------------------------
// N-API glue.

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "line kernel: " #call " failed"); return NULL; } } while (0)

static void *typed(napi_env env, napi_value v, size_t *length) {
  napi_typedarray_type type; size_t len; void *data; napi_value ab; size_t off;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &off) != napi_ok) return NULL;
  if (length) *length = len;
  return data;
}

static void release(napi_env env, Kernel *K) {
  if (K->released) return;
  K->released = 1;
  for (int i = 0; i <= K->n; i++) columnFree(&K->cols[i]);
  for (int i = 0; i < 5; i++) if (K->refs[i]) { napi_delete_reference(env, K->refs[i]); K->refs[i] = NULL; }
  free(K->hdr); free(K->dateOk); free(K->dateIso); free(K->dateMonth); free(K->dateFy);
  free(K->gkeys); free(K->ggid); free(K->gtable); free(K->gidTheme);
  free(K->gMonth); free(K->gLines); free(K->gPence);
  aggFree(&K->tally); free(K->ckey); free(K->cval);
  free(K->text); free(K->start); free(K->end); free(K->line);
}

static Kernel *kernelOf(napi_env env, napi_value v) {
  void *p = NULL;
  napi_get_value_external(env, v, &p);
  Kernel *K = p;
  if (K && K->released) { napi_throw_error(env, NULL, "line kernel: used after release"); return NULL; }
  return K;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  release(env, data);
  free(data);
}

// release(k): frees the kernel's tables now (a big file's run up hundreds of megabytes), not when the handle is collected.
static napi_value Release(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  release(env, K);
  return NULL;
}

// create(cfg: Int32Array, header: string | null, st: Int32Array, stF: Float64Array, cand: Float64Array, pend: Int32Array, ids: Int32Array)
// cfg: [ncut, iDate, iNet, iGross, iVat, iRef, hdrIndex, n, index of each descriptive column...]
static napi_value Create(napi_env env, napi_callback_info info) {
  size_t argc = 7; napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t cfgLen; int32_t *cfg = typed(env, argv[0], &cfgLen);
  if (!cfg || cfgLen < 8 || cfg[7] < 0 || cfg[7] > MAX_COLS || cfg[0] < 1 || cfg[0] > MAX_COLS * 4 || cfgLen < (size_t)(8 + cfg[7])) { napi_throw_error(env, NULL, "line kernel: bad configuration"); return NULL; }
  for (size_t i = 1; i < cfgLen; i++) if (i != 7 && cfg[i] >= cfg[0]) { napi_throw_error(env, NULL, "line kernel: a column past the last one cut"); return NULL; }
  Kernel *K = calloc(1, sizeof(Kernel));
  K->ncut = cfg[0]; K->delimiter = ','; K->iDate = cfg[1]; K->iNet = cfg[2]; K->iGross = cfg[3]; K->iVat = cfg[4];
  K->iRef = cfg[5]; K->hdrIndex = cfg[6]; K->n = cfg[7];
  columnInit(&K->cols[0], K->iDate);
  for (int j = 0; j < K->n; j++) columnInit(&K->cols[j + 1], cfg[8 + j]);
  napi_valuetype t; napi_typeof(env, argv[1], &t);
  K->hdrLen = -1;
  if (t == napi_string) {
    size_t len; napi_get_value_string_utf16(env, argv[1], NULL, 0, &len);
    K->hdr = malloc((len + 1) * 2);
    napi_get_value_string_utf16(env, argv[1], (char16_t *)K->hdr, len + 1, &len);
    K->hdrLen = (int)len;
  }
  size_t len = 0;
  K->st = typed(env, argv[2], &len); if (len < S_SIZE) K->st = NULL;
  K->stF = typed(env, argv[3], &len);
  K->cand = typed(env, argv[4], &len); K->candCap = (int32_t)(len / CAND_FIELDS);
  K->pend = typed(env, argv[5], &len); K->pendCap = K->n + 2 ? (int32_t)(len / (size_t)(K->n + 2)) : 0;
  K->ids = typed(env, argv[6], &len);
  if (!K->st || !K->stF || !K->cand || !K->pend || !K->ids || K->candCap < 1 || K->pendCap < 1 || (int)len < K->n) {
    free(K); napi_throw_error(env, NULL, "line kernel: bad shared arrays"); return NULL;
  }
  for (int i = 0; i < 5; i++) napi_create_reference(env, argv[2 + i], 1, &K->refs[i]);
  K->gmask = 4095; K->gtable = calloc(4096, 4);
  K->cmask = 63; K->ckey = malloc(64 * 4); K->cval = malloc(64 * 8);
  for (int i = 0; i < 64; i++) K->ckey[i] = INT32_MIN;
  napi_value ext;
  CHECK(napi_create_external(env, K, finalize, NULL, &ext));
  return ext;
}

// setBatch(k, text, start: Int32Array, end: Int32Array, line: Int32Array, count, delimiter)
static napi_value SetBatch(napi_env env, napi_callback_info info) {
  size_t argc = 7; napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  CHECK(napi_get_value_int32(env, argv[6], &K->delimiter));
  size_t len;
  CHECK(napi_get_value_string_utf16(env, argv[1], NULL, 0, &len));
  if (len + 1 > K->textCap) { K->textCap = (len + 1) * 2; K->text = grow(K->text, K->textCap * 2); }
  CHECK(napi_get_value_string_utf16(env, argv[1], (char16_t *)K->text, len + 1, &len));
  int32_t count; CHECK(napi_get_value_int32(env, argv[5], &count));
  size_t a = 0, b = 0, c = 0;
  int32_t *s = typed(env, argv[2], &a), *e = typed(env, argv[3], &b), *l = typed(env, argv[4], &c);
  if (!s || !e || !l || a < (size_t)count || b < (size_t)count || c < (size_t)count) { napi_throw_error(env, NULL, "line kernel: bad batch"); return NULL; }
  if (count > K->batchCap) {
    K->batchCap = count * 2;
    K->start = grow(K->start, (size_t)K->batchCap * 4); K->end = grow(K->end, (size_t)K->batchCap * 4); K->line = grow(K->line, (size_t)K->batchCap * 4);
  }
  memcpy(K->start, s, (size_t)count * 4); memcpy(K->end, e, (size_t)count * 4); memcpy(K->line, l, (size_t)count * 4);
  for (int32_t i = 0; i < count; i++) if (K->start[i] >= 0 && (K->end[i] > (int32_t)len || K->start[i] > K->end[i])) { napi_throw_error(env, NULL, "line kernel: line outside the text"); return NULL; }
  K->count = count;
  return NULL;
}

// run(k, out: Uint8Array) -> status
static napi_value Run(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  size_t cap; uint8_t *out = typed(env, argv[1], &cap);
  if (!out || (size_t)K->st[S_OUTPOS] > cap) { napi_throw_error(env, NULL, "line kernel: bad output buffer"); return NULL; }
  napi_value r;
  CHECK(napi_create_int32(env, runBatch(K, out, cap), &r));
  return r;
}

// resolve(k, valueId): the cell text of the last MISS has this value id.
static napi_value Resolve(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  int32_t id; CHECK(napi_get_value_int32(env, argv[1], &id));
  int col = K->st[S_MISS_COL], s = K->st[S_MISS_S], e = K->st[S_MISS_E];
  Column *c = &K->cols[col];
  uint32_t h = hashUnits(K->text, s, e);
  if (columnFind(c, K->text, s, e, h) < 0) columnAdd(c, K->text, s, e, h, id);
  return NULL;
}

// setDate(k, valueId, iso: string | null, monthSlot, fyStart)
static napi_value SetDate(napi_env env, napi_callback_info info) {
  size_t argc = 5; napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  int32_t id, month, fy;
  CHECK(napi_get_value_int32(env, argv[1], &id));
  CHECK(napi_get_value_int32(env, argv[3], &month));
  CHECK(napi_get_value_int32(env, argv[4], &fy));
  if (id < 0) return NULL;
  if (id >= K->dateCap) {
    int32_t cap = K->dateCap ? K->dateCap : 1024;
    while (cap <= id) cap *= 2;
    K->dateOk = grow(K->dateOk, (size_t)cap); memset(K->dateOk + K->dateCap, 0, (size_t)(cap - K->dateCap));
    K->dateIso = grow(K->dateIso, (size_t)cap * 10); K->dateMonth = grow(K->dateMonth, (size_t)cap * 4); K->dateFy = grow(K->dateFy, (size_t)cap * 4);
    K->dateCap = cap;
  }
  napi_valuetype t; napi_typeof(env, argv[2], &t);
  if (t != napi_string) { K->dateOk[id] = 0; return NULL; }
  char iso[16]; size_t len;
  CHECK(napi_get_value_string_latin1(env, argv[2], iso, sizeof iso, &len));
  if (len != 10) { K->dateOk[id] = 0; return NULL; }
  memcpy(K->dateIso + (size_t)id * 10, iso, 10);
  K->dateMonth[id] = month; K->dateFy[id] = fy; K->dateOk[id] = 1;
  return NULL;
}

// commitGroups(k): TypeScript has written each pending group's theme into pend[i * (n + 2) + 1].
static napi_value CommitGroups(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  for (int32_t i = 0; i < K->st[S_NNEW]; i++) {
    int32_t *pe = K->pend + (size_t)i * (K->n + 2);
    setGidTheme(K, pe[0], pe[1]);
  }
  K->st[S_NNEW] = 0;
  return NULL;
}

// addGroup(k, gid, theme): a group TypeScript made itself, for the value ids in `ids`.
static napi_value AddGroup(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  int32_t gid, theme;
  CHECK(napi_get_value_int32(env, argv[1], &gid));
  CHECK(napi_get_value_int32(env, argv[2], &theme));
  memcpy(K->key, K->ids, (size_t)K->n * 4);
  uint32_t slot = 0;
  if (!groupFind(K, hashInts(K->key, K->n), &slot)) groupAdd(K, slot, gid);
  setGidTheme(K, gid, theme);
  return NULL;
}

// setCutoff(k, key, cutoff)
static napi_value SetCutoff(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  int32_t key; double v;
  CHECK(napi_get_value_int32(env, argv[1], &key));
  CHECK(napi_get_value_double(env, argv[2], &v));
  setCutoff(K, key, v);
  return NULL;
}

// tallies(k) -> { gid: Int32Array, month: Int32Array, lines: Float64Array, pence: Float64Array }
// { key: Float64Array, lines: Float64Array, pence: Float64Array } of an Agg, which is then freed.
static napi_value aggResult(napi_env env, Agg *a) {
  static const char *names[3] = { "key", "lines", "pence" };
  napi_value obj = NULL;
  if (napi_create_object(env, &obj) != napi_ok) obj = NULL;
  for (int f = 0; obj && f < 3; f++) {
    void *d; napi_value ab, arr;
    if (napi_create_arraybuffer(env, (size_t)a->n * 8 + 8, &d, &ab) != napi_ok || napi_create_typedarray(env, napi_float64_array, a->n, ab, 0, &arr) != napi_ok ||
        napi_set_named_property(env, obj, names[f], arr) != napi_ok) { obj = NULL; break; }
    double *out = d;
    for (uint32_t k = 0; k < a->n; k++) out[k] = f == 0 ? (double)a->key[k] : f == 1 ? a->lines[k] : (double)a->pence[k];
  }
  aggFree(a);
  return obj;
}

// foldCells(k, cells: Int32Array, monthFy: Int32Array, gidLines: Float64Array, gidPence: Float64Array)
// The kernel's tallies by (group, month slot), summed by what the file's rollups keep. cells[gid * 3 + 0..2]:
// the group's rollup, service and supplier cells; monthFy[month * 2 + 0..1]: the month's year slot and the
// year its financial year starts. Adds each group's lines and pence into gidLines/gidPence[gid] and returns
// { rollup, service, supplier, top }, keyed rollup cell * 4096 + month, service or supplier cell * 256 + year
// slot, and fy start * 1024 + theme (the top lists'; lines only).
static napi_value FoldCells(napi_env env, napi_callback_info info) {
  size_t argc = 5; napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *K = kernelOf(env, argv[0]);
  if (!K) return NULL;
  size_t nc = 0, nm = 0, nl = 0, np = 0;
  int32_t *cells = typed(env, argv[1], &nc), *monthFy = typed(env, argv[2], &nm);
  double *gidLines = typed(env, argv[3], &nl), *gidPence = typed(env, argv[4], &np);
  if (!cells || !monthFy || !gidLines || !gidPence) { napi_throw_error(env, NULL, "line kernel: bad fold arrays"); return NULL; }
  Agg rollup = {0}, service = {0}, supplier = {0}, top = {0};
  // Each (group, month) tally: first the groups' first months, then their other months.
  const Agg *t = &K->tally;
  for (uint32_t e = 0, firsts = (uint32_t)K->gCap; e < firsts + t->n; e++) {
    int64_t gid, month; double lines; int64_t pence;
    if (e < firsts) {
      if (K->gMonth[e] < 0) continue;
      gid = e; month = K->gMonth[e]; lines = K->gLines[e]; pence = K->gPence[e];
    } else {
      uint32_t h = e - firsts;
      gid = t->key[h] / 4096; month = t->key[h] % 4096; lines = t->lines[h]; pence = t->pence[h];
    }
    if ((size_t)gid * 3 + 2 >= nc || (size_t)gid >= nl || (size_t)gid >= np || (size_t)month * 2 + 1 >= nm || gid >= K->gidCap || K->gidTheme[gid] < 0) {
      aggFree(&rollup); aggFree(&service); aggFree(&supplier); aggFree(&top);
      napi_throw_error(env, NULL, "line kernel: a tallied group or month the fold was not told of"); return NULL;
    }
    gidLines[gid] += lines; gidPence[gid] += (double)pence;
    int64_t fySlot = monthFy[month * 2], fyStart = monthFy[month * 2 + 1];
    aggAdd(&rollup, (int64_t)cells[gid * 3] * 4096 + month, lines, pence);
    aggAdd(&service, (int64_t)cells[gid * 3 + 1] * 256 + fySlot, lines, pence);
    aggAdd(&supplier, (int64_t)cells[gid * 3 + 2] * 256 + fySlot, lines, pence);
    aggAdd(&top, fyStart * 1024 + K->gidTheme[gid], lines, 0);
  }
  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_set_named_property(env, obj, "rollup", aggResult(env, &rollup)));
  CHECK(napi_set_named_property(env, obj, "service", aggResult(env, &service)));
  CHECK(napi_set_named_property(env, obj, "supplier", aggResult(env, &supplier)));
  CHECK(napi_set_named_property(env, obj, "top", aggResult(env, &top)));
  return obj;
}

NAPI_MODULE_INIT() {
  const struct { const char *name; napi_callback fn; } fns[] = {
    { "create", Create }, { "setBatch", SetBatch }, { "run", Run }, { "resolve", Resolve }, { "setDate", SetDate },
    { "commitGroups", CommitGroups }, { "addGroup", AddGroup }, { "setCutoff", SetCutoff }, { "foldCells", FoldCells }, { "release", Release },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) != napi_ok) return NULL;
    if (napi_set_named_property(env, exports, fns[i].name, f) != napi_ok) return NULL;
  }
  return exports;
}
