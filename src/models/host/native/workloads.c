/*
 * The inner loops of the two Legion workloads the authors ported into the Nautilus HRT,
 * timed with rdtsc on this host (hrtsim measure-workloads). Each kernel runs over data sized
 * like one task's piece, `reps` times; the output is the TSC cycles per element of each rep.
 *
 * circuit (Legion examples/circuit, circuit_cpu.cc): WIRE_SEGMENTS = 10 segments per wire;
 *   calc_new_currents: per wire, `steps` relaxation steps over the segments (per wire-step);
 *   distribute_charge: per wire, charge moved into its two end nodes (per wire);
 *   update_voltages: per node, voltage from charge, leakage, charge reset (per node).
 *   Wires are laid out as structure-of-arrays so the compiler may vectorise across wires, as
 *   the SSE/AVX paths of circuit_cpu.cc do by hand.
 * HPCG-like (the HPCG reference's 27-point stencil in CSR, ComputeSPMV_ref, ComputeSYMGS_ref,
 *   ComputeDotProduct_ref, ComputeWAXPBY_ref): spmv and symgs per nonzero (symgs counts the
 *   forward and the backward sweep), dot and waxpby per vector element.
 *
 * Data are small (L2-resident, about 1 ms per rep) so a rep is rarely preempted; the reader takes
 * the median over reps. Output, one line per kernel:  kernel=<name> unit=<element> elements=<n> cycles=<c1>,<c2>,...
 * and first a line  tsc_hz=<estimate>  (rdtsc against CLOCK_MONOTONIC over ~100 ms).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#define WIRE_SEGMENTS 10
#define REPS 21

static inline uint64_t tsc(void) {
  unsigned aux;
  return __rdtscp(&aux);
}

static void report(const char *name, const char *unit, double elements, const uint64_t *cycles) {
  printf("kernel=%s unit=%s elements=%.0f cycles=", name, unit, elements);
  for (int r = 0; r < REPS; r++) printf(r ? ",%llu" : "%llu", (unsigned long long)cycles[r]);
  printf("\n");
}

static double tsc_hz(void) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  uint64_t t0 = tsc();
  do clock_gettime(CLOCK_MONOTONIC, &b); while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 1e8);
  uint64_t t1 = tsc();
  return (t1 - t0) / (((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e9);
}

/* A deterministic generator for inputs (values only; timing does not depend on them). */
static uint64_t lcg = 12345;
static float frand(void) {
  lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
  return (float)((lcg >> 40) & 0xffffff) / 16777216.0f;
}

/* ---- circuit ------------------------------------------------------------------------------ */

typedef struct {
  int n;
  float *current[WIRE_SEGMENTS], *voltage[WIRE_SEGMENTS - 1];
  float *inductance, *resistance, *capacitance;
  int *in_node, *out_node;
} Wires;

typedef struct {
  int n;
  float *voltage, *charge, *capacitance, *leakage;
} Nodes;

static float *farray(int n) {
  float *a = aligned_alloc(64, ((size_t)n * sizeof(float) + 63) / 64 * 64);
  for (int i = 0; i < n; i++) a[i] = 0.5f + frand();
  return a;
}

static void calc_new_currents(Wires *w, const Nodes *nodes, int steps, float dt) {
  const float recip_dt = 1.0f / dt;
  for (int k = 0; k < w->n; k++) {
    float temp_v[WIRE_SEGMENTS + 1], temp_i[WIRE_SEGMENTS], old_i[WIRE_SEGMENTS], old_v[WIRE_SEGMENTS - 1];
    for (int i = 0; i < WIRE_SEGMENTS; i++) temp_i[i] = old_i[i] = w->current[i][k];
    for (int i = 0; i < WIRE_SEGMENTS - 1; i++) temp_v[i + 1] = old_v[i] = w->voltage[i][k];
    temp_v[0] = nodes->voltage[w->in_node[k]];
    temp_v[WIRE_SEGMENTS] = nodes->voltage[w->out_node[k]];
    const float ind = w->inductance[k], rr = 1.0f / w->resistance[k], rc = 1.0f / w->capacitance[k];
    for (int j = 0; j < steps; j++) {
      for (int i = 0; i < WIRE_SEGMENTS; i++) {
        float dv = temp_v[i + 1] - temp_v[i];
        float di = temp_i[i] - old_i[i];
        temp_i[i] = (dv - ind * di * recip_dt) * rr;
      }
      for (int i = 0; i < WIRE_SEGMENTS - 1; i++) temp_v[i + 1] = old_v[i] + dt * (temp_i[i] - temp_i[i + 1]) * rc;
    }
    for (int i = 0; i < WIRE_SEGMENTS; i++) w->current[i][k] = temp_i[i];
    for (int i = 0; i < WIRE_SEGMENTS - 1; i++) w->voltage[i][k] = temp_v[i + 1];
  }
}

/* Reductions into nodes: atomic float add (as AccumulateCharge::apply<false>) for every end. */
static inline void atomic_add(float *target, float x) {
  union { int i; float f; } oldv, newv;
  do {
    oldv.f = *(volatile float *)target;
    newv.f = oldv.f + x;
  } while (!__sync_bool_compare_and_swap((int *)target, oldv.i, newv.i));
}

static void distribute_charge(const Wires *w, Nodes *nodes, float dt) {
  for (int k = 0; k < w->n; k++) {
    atomic_add(&nodes->charge[w->in_node[k]], -dt * w->current[0][k]);
    atomic_add(&nodes->charge[w->out_node[k]], dt * w->current[WIRE_SEGMENTS - 1][k]);
  }
}

static void update_voltages(Nodes *nodes) {
  for (int k = 0; k < nodes->n; k++) {
    float v = nodes->voltage[k] + nodes->charge[k] / nodes->capacitance[k];
    nodes->voltage[k] = v * (1.0f - nodes->leakage[k]);
    nodes->charge[k] = 0.0f;
  }
}

static void circuit(void) {
  const int nw = 1024, nn = 256, steps = 50; /* ~1 ms per rep: few preemptions */
  const float dt = 1e-6f;
  Wires w = { .n = nw };
  for (int i = 0; i < WIRE_SEGMENTS; i++) w.current[i] = farray(nw);
  for (int i = 0; i < WIRE_SEGMENTS - 1; i++) w.voltage[i] = farray(nw);
  w.inductance = farray(nw), w.resistance = farray(nw), w.capacitance = farray(nw);
  w.in_node = malloc(nw * sizeof(int)), w.out_node = malloc(nw * sizeof(int));
  for (int k = 0; k < nw; k++) w.in_node[k] = (int)(frand() * nn), w.out_node[k] = (int)(frand() * nn);
  Nodes n = { .n = nn, .voltage = farray(nn), .charge = farray(nn), .capacitance = farray(nn), .leakage = farray(nn) };
  for (int k = 0; k < nn; k++) n.leakage[k] *= 1e-3f;
  uint64_t c[REPS];
  for (int r = 0; r < REPS; r++) { uint64_t t = tsc(); calc_new_currents(&w, &n, steps, dt); c[r] = tsc() - t; }
  report("circuit.calcNewCurrents", "wire-step", (double)nw * steps, c);
  for (int r = 0; r < REPS; r++) { uint64_t t = tsc(); distribute_charge(&w, &n, dt); c[r] = tsc() - t; }
  report("circuit.distributeCharge", "wire", nw, c);
  for (int r = 0; r < REPS; r++) { uint64_t t = tsc(); update_voltages(&n); c[r] = tsc() - t; }
  report("circuit.updateVoltages", "node", nn, c);
}

/* ---- HPCG-like ---------------------------------------------------------------------------- */

typedef struct {
  int rows;
  int *row_start, *cols, *diag;
  double *vals;
} Csr;

/* The reference HPCG problem: 27-point stencil on an nx^3 grid, 26 on the diagonal, -1 off it. */
static Csr stencil(int nx) {
  Csr a = { .rows = nx * nx * nx };
  a.row_start = malloc((a.rows + 1) * sizeof(int));
  a.cols = malloc((size_t)a.rows * 27 * sizeof(int));
  a.vals = malloc((size_t)a.rows * 27 * sizeof(double));
  a.diag = malloc(a.rows * sizeof(int));
  int nnz = 0;
  for (int z = 0; z < nx; z++) for (int y = 0; y < nx; y++) for (int x = 0; x < nx; x++) {
    int row = (z * nx + y) * nx + x;
    a.row_start[row] = nnz;
    for (int dz = -1; dz <= 1; dz++) for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) {
      int X = x + dx, Y = y + dy, Z = z + dz;
      if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= nx || Z >= nx) continue;
      int col = (Z * nx + Y) * nx + X;
      if (col == row) a.diag[row] = nnz;
      a.cols[nnz] = col;
      a.vals[nnz++] = col == row ? 26.0 : -1.0;
    }
  }
  a.row_start[a.rows] = nnz;
  return a;
}

static void spmv(const Csr *a, const double *x, double *y) {
  for (int i = 0; i < a->rows; i++) {
    double s = 0;
    for (int j = a->row_start[i]; j < a->row_start[i + 1]; j++) s += a->vals[j] * x[a->cols[j]];
    y[i] = s;
  }
}

static void symgs(const Csr *a, const double *r, double *x) {
  for (int i = 0; i < a->rows; i++) {
    double s = r[i], d = a->vals[a->diag[i]];
    for (int j = a->row_start[i]; j < a->row_start[i + 1]; j++) s -= a->vals[j] * x[a->cols[j]];
    x[i] = (s + x[i] * d) / d;
  }
  for (int i = a->rows - 1; i >= 0; i--) {
    double s = r[i], d = a->vals[a->diag[i]];
    for (int j = a->row_start[i]; j < a->row_start[i + 1]; j++) s -= a->vals[j] * x[a->cols[j]];
    x[i] = (s + x[i] * d) / d;
  }
}

static double dot(int n, const double *x, const double *y) {
  double s = 0;
  for (int i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

static void waxpby(int n, double alpha, const double *x, double beta, const double *y, double *w) {
  for (int i = 0; i < n; i++) w[i] = alpha * x[i] + beta * y[i];
}

static volatile double sink;

static void hpcg(void) {
  const int nx = 24;
  Csr a = stencil(nx);
  const int n = a.rows;
  const double nnz = a.row_start[n];
  double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double)), *w = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) x[i] = frand(), y[i] = frand();
  uint64_t c[REPS];
  for (int r = 0; r < REPS; r++) { uint64_t t = tsc(); spmv(&a, x, y); c[r] = tsc() - t; }
  report("hpcg.spmv", "nonzero", nnz, c);
  for (int r = 0; r < REPS; r++) { uint64_t t = tsc(); symgs(&a, y, x); c[r] = tsc() - t; }
  report("hpcg.symgs", "nonzero-sweep", 2 * nnz, c);
  for (int r = 0; r < REPS; r++) { uint64_t t = tsc(); sink = dot(n, x, y); c[r] = tsc() - t; }
  report("hpcg.dot", "element", n, c);
  for (int r = 0; r < REPS; r++) { uint64_t t = tsc(); waxpby(n, 1.0, x, 0.5, y, w); c[r] = tsc() - t; }
  report("hpcg.waxpby", "element", n, c);
  sink = w[n / 2] + x[n / 3];
}

int main(void) {
  printf("tsc_hz=%.0f\n", tsc_hz());
  circuit();
  hpcg();
  return 0;
}
