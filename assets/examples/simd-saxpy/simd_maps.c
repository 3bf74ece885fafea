// Hand-written wasm_simd128.h loops that auto-offload must PROMOTE (element-wise maps).
// Each vector loop is followed by its scalar remainder, which stays on the CPU.
#include <wasm_simd128.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

// y = a*x + y over f32x4.
EXPORT("saxpy") void saxpy(float a, const float *x, float *y, int n) {
  v128_t va = wasm_f32x4_splat(a);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t vx = wasm_v128_load(x + i);
    v128_t vy = wasm_v128_load(y + i);
    wasm_v128_store(y + i, wasm_f32x4_add(wasm_f32x4_mul(va, vx), vy));
  }
  for (; i < n; i++) y[i] = a * x[i] + y[i];
}

// out = (a + b) * c << 3 over i32x4 (add, mul, shift).
EXPORT("i32_add_mul_shl") void i32_add_mul_shl(const int32_t *a, const int32_t *b, const int32_t *c, int32_t *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t s = wasm_i32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i));
    v128_t p = wasm_i32x4_mul(s, wasm_v128_load(c + i));
    wasm_v128_store(out + i, wasm_i32x4_shl(p, 3));
  }
  for (; i < n; i++) out[i] = ((a[i] + b[i]) * c[i]) << 3;
}

// A multiply-add chain: out = ((x*k1 + y)*k2 + x)*y - k3, over f32x4.
EXPORT("madd_chain") void madd_chain(const float *x, const float *y, float *out, float k1, float k2, float k3, int n) {
  v128_t v1 = wasm_f32x4_splat(k1), v2 = wasm_f32x4_splat(k2), v3 = wasm_f32x4_splat(k3);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t vx = wasm_v128_load(x + i), vy = wasm_v128_load(y + i);
    v128_t t = wasm_f32x4_add(wasm_f32x4_mul(vx, v1), vy);
    t = wasm_f32x4_add(wasm_f32x4_mul(t, v2), vx);
    wasm_v128_store(out + i, wasm_f32x4_sub(wasm_f32x4_mul(t, vy), v3));
  }
  for (; i < n; i++) out[i] = ((x[i] * k1 + y[i]) * k2 + x[i]) * y[i] - k3;
}

// out = x * y + 0.5 over f64x2.
EXPORT("f64_mul_add") void f64_mul_add(const double *x, const double *y, double *out, int n) {
  v128_t half = wasm_f64x2_splat(0.5);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    wasm_v128_store(out + i, wasm_f64x2_add(wasm_f64x2_mul(wasm_v128_load(x + i), wasm_v128_load(y + i)), half));
  }
  for (; i < n; i++) out[i] = x[i] * y[i] + 0.5;
}

// ---- Drivers callable from JSON: fill arrays from a seed, run one kernel, hash the output. ----
#include <stdlib.h>

static uint32_t rng_state;
static float next_f32(void) {
  rng_state = rng_state * 1664525u + 1013904223u;
  return (float)(rng_state >> 8) / 16777216.0f * 4.0f - 2.0f;
}
static int32_t next_i32(void) {
  rng_state = rng_state * 1664525u + 1013904223u;
  return (int32_t)(rng_state >> 4) - (1 << 27);
}
static uint32_t fnv(const void *data, int bytes) {
  const uint8_t *p = data;
  uint32_t h = 2166136261u;
  for (int i = 0; i < bytes; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

EXPORT("run_saxpy") int run_saxpy(int n, int seed) {
  rng_state = (uint32_t)seed;
  float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
  for (int i = 0; i < n; i++) { x[i] = next_f32(); y[i] = next_f32(); }
  saxpy(1.5f, x, y, n);
  int h = (int)fnv(y, n * (int)sizeof(float));
  free(x); free(y);
  return h;
}

EXPORT("run_i32_add_mul_shl") int run_i32_add_mul_shl(int n, int seed) {
  rng_state = (uint32_t)seed;
  int32_t *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4), *o = malloc(n * 4);
  for (int i = 0; i < n; i++) { a[i] = next_i32(); b[i] = next_i32(); c[i] = next_i32(); }
  i32_add_mul_shl(a, b, c, o, n);
  int h = (int)fnv(o, n * 4);
  free(a); free(b); free(c); free(o);
  return h;
}

EXPORT("run_madd_chain") int run_madd_chain(int n, int seed) {
  rng_state = (uint32_t)seed;
  float *x = malloc(n * 4), *y = malloc(n * 4), *o = malloc(n * 4);
  for (int i = 0; i < n; i++) { x[i] = next_f32(); y[i] = next_f32(); }
  madd_chain(x, y, o, 0.75f, -1.25f, 0.5f, n);
  int h = (int)fnv(o, n * 4);
  free(x); free(y); free(o);
  return h;
}

EXPORT("run_f64_mul_add") int run_f64_mul_add(int n, int seed) {
  rng_state = (uint32_t)seed;
  double *x = malloc(n * 8), *y = malloc(n * 8), *o = malloc(n * 8);
  for (int i = 0; i < n; i++) { x[i] = next_f32(); y[i] = next_f32(); }
  f64_mul_add(x, y, o, n);
  int h = (int)fnv(o, n * 8);
  free(x); free(y); free(o);
  return h;
}
