/*
 * Helpers for the instruction-form oracle (forms.ts writes one C function per form on top of this).
 * Written from the PTX ISA's instruction descriptions; compiled with gcc -O0 -frounding-math so
 * that every operation happens where it is written, under the rounding mode set just before it.
 * Shares no code with the CPU device.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma STDC FENV_ACCESS ON

/* expr evaluated once under rounding mode m, converted to T under the same mode */
#define RND(m, T, expr) ({ fesetround(m); volatile T rnd_v_ = (T)(expr); fesetround(FE_TONEAREST); (T)rnd_v_; })

/* round a double to an integral value under mode m (.rni/.rzi/.rmi/.rpi) */
static double RNDI(int m, double x) {
  fesetround(m);
  volatile double y = nearbyint(x);
  fesetround(FE_TONEAREST);
  return y;
}

/* .ftz: subnormal inputs and results become zero of the same sign */
static float ftzf(float x) { return fpclassify(x) == FP_SUBNORMAL ? copysignf(0.0f, x) : x; }
static double ftzd(double x) { return fpclassify(x) == FP_SUBNORMAL ? copysign(0.0, x) : x; }
/* .sat: clamp to [0.0, 1.0]; NaN becomes +0.0 */
static float satf(float x) { return isnan(x) ? 0.0f : x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x; }
static double satd(double x) { return isnan(x) ? 0.0 : x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x; }
static int32_t sat_s32(int64_t x) { return x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : (int32_t)x; }

/* min/max: one NaN operand gives the other; two give NaN; .NaN gives NaN when either is; -0 < +0 */
static float minf_ptx(float a, float b, int nanmode) {
  if (isnan(a) || isnan(b)) return (nanmode || (isnan(a) && isnan(b))) ? NAN : isnan(a) ? b : a;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}
static float maxf_ptx(float a, float b, int nanmode) {
  if (isnan(a) || isnan(b)) return (nanmode || (isnan(a) && isnan(b))) ? NAN : isnan(a) ? b : a;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
static double mind_ptx(double a, double b) {
  if (isnan(a) || isnan(b)) return (isnan(a) && isnan(b)) ? NAN : isnan(a) ? b : a;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}
static double maxd_ptx(double a, double b) {
  if (isnan(a) || isnan(b)) return (isnan(a) && isnan(b)) ? NAN : isnan(a) ? b : a;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}

/* setp comparison operators on floats: ordered forms are false on NaN, unordered (..u) true */
#define fcmp_eq(x, y) (!isunordered(x, y) && (x) == (y))
#define fcmp_ne(x, y) (!isunordered(x, y) && (x) != (y))
#define fcmp_lt(x, y) (!isunordered(x, y) && (x) < (y))
#define fcmp_le(x, y) (!isunordered(x, y) && (x) <= (y))
#define fcmp_gt(x, y) (!isunordered(x, y) && (x) > (y))
#define fcmp_ge(x, y) (!isunordered(x, y) && (x) >= (y))
#define fcmp_equ(x, y) (isunordered(x, y) || (x) == (y))
#define fcmp_neu(x, y) (isunordered(x, y) || (x) != (y))
#define fcmp_ltu(x, y) (isunordered(x, y) || (x) < (y))
#define fcmp_leu(x, y) (isunordered(x, y) || (x) <= (y))
#define fcmp_gtu(x, y) (isunordered(x, y) || (x) > (y))
#define fcmp_geu(x, y) (isunordered(x, y) || (x) >= (y))
#define fcmp_num(x, y) (!isunordered(x, y))
#define fcmp_nan(x, y) (isunordered(x, y))

/* float → integer: NaN gives nanv; otherwise round with mode m, then clamp to [lo, hi) */
static uint64_t f2i(double x, int m, double lo, double hi, uint64_t minv, uint64_t maxv, uint64_t nanv) {
  if (isnan(x)) return nanv;
  double y = RNDI(m, x);
  if (y < lo) return minv;
  if (y >= hi) return maxv;
  return y < 0 ? (uint64_t)(int64_t)y : (uint64_t)y;
}

static uint32_t popc64(uint64_t a) { return (uint32_t)__builtin_popcountll(a); }
static uint32_t clz_n(uint64_t a, int n) {
  uint32_t c = 0;
  for (int i = n - 1; i >= 0 && !((a >> i) & 1); i--) c++;
  return c;
}
static uint64_t brev_n(uint64_t a, int n) {
  uint64_t d = 0;
  for (int i = 0; i < n; i++) d |= ((a >> i) & 1) << (n - 1 - i);
  return d;
}
/* bfe (ISA pseudo-code): pos = b & 0xff, len = c & 0xff, sign bit a[min(pos+len-1, msb)] for .s types */
static uint64_t bfe_n(uint64_t a, uint32_t b, uint32_t c, int n, int s) {
  int msb = n - 1;
  uint32_t pos = b & 0xff, len = c & 0xff;
  uint64_t sbit = 0;
  if (s && len != 0) sbit = (a >> (pos + len - 1 < (uint32_t)msb ? pos + len - 1 : (uint32_t)msb)) & 1;
  uint64_t d = 0;
  for (int i = 0; i <= msb; i++) {
    uint64_t bit = ((uint32_t)i < len && pos + i <= (uint32_t)msb) ? (a >> (pos + i)) & 1 : sbit;
    d |= bit << i;
  }
  return d;
}
/* bfi (ISA pseudo-code): f = b; f[pos+i] = a[i] for i < len while pos+i <= msb */
static uint64_t bfi_n(uint64_t a, uint64_t b, uint32_t c, uint32_t e, int n) {
  int msb = n - 1;
  uint32_t pos = c & 0xff, len = e & 0xff;
  uint64_t f = b;
  for (uint32_t i = 0; i < len && pos + i <= (uint32_t)msb; i++) f = (f & ~(1ull << (pos + i))) | (((a >> i) & 1) << (pos + i));
  return f;
}
/* bfind (ISA pseudo-code): negative signed inputs are complemented; no set bit gives 0xffffffff */
static uint32_t bfind_n(uint64_t a, int n, int s, int shiftamt) {
  int msb = n - 1;
  if (n == 32) a &= 0xffffffffull;
  if (s && ((a >> msb) & 1)) a = ~a & (n == 64 ? ~0ull : 0xffffffffull);
  uint32_t d = 0xffffffffu;
  for (int i = msb; i >= 0; i--) if ((a >> i) & 1) { d = (uint32_t)i; break; }
  if (shiftamt && d != 0xffffffffu) d = (uint32_t)msb - d;
  return d;
}
/* prmt: default mode picks bytes of {b, a} by nibbles of c (bit 3 replicates the sign);
   the named modes use c[1:0] and the ISA's table (listed here as d.b0, d.b1, d.b2, d.b3) */
static uint32_t prmt(uint32_t a, uint32_t b, uint32_t c, const char *mode) {
  uint64_t t = ((uint64_t)b << 32) | a;
  uint32_t d = 0;
  if (!*mode) {
    for (int i = 0; i < 4; i++) {
      uint32_t ctl = (c >> (4 * i)) & 0xf;
      uint32_t byte = (uint32_t)(t >> (8 * (ctl & 7))) & 0xff;
      if (ctl & 8) byte = (byte & 0x80) ? 0xff : 0;
      d |= byte << (8 * i);
    }
    return d;
  }
  static const int f4e[4][4] = {{0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {3, 4, 5, 6}};
  static const int b4e[4][4] = {{0, 7, 6, 5}, {1, 0, 7, 6}, {2, 1, 0, 7}, {3, 2, 1, 0}};
  static const int rc8[4][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {3, 3, 3, 3}};
  static const int ecl[4][4] = {{0, 1, 2, 3}, {1, 1, 2, 3}, {2, 2, 2, 3}, {3, 3, 3, 3}};
  static const int ecr[4][4] = {{0, 0, 0, 0}, {0, 1, 1, 1}, {0, 1, 2, 2}, {0, 1, 2, 3}};
  static const int rc16[4][4] = {{0, 1, 0, 1}, {2, 3, 2, 3}, {0, 1, 0, 1}, {2, 3, 2, 3}};
  const int (*tab)[4] = !strcmp(mode, "f4e") ? f4e : !strcmp(mode, "b4e") ? b4e : !strcmp(mode, "rc8") ? rc8 : !strcmp(mode, "ecl") ? ecl : !strcmp(mode, "ecr") ? ecr : rc16;
  for (int i = 0; i < 4; i++) d |= ((uint32_t)(t >> (8 * tab[c & 3][i])) & 0xff) << (8 * i);
  return d;
}
/* shf: funnel shift of {b, a}; .wrap uses c & 31, .clamp min(c, 32) */
static uint32_t shf(uint32_t a, uint32_t b, uint32_t c, int left, int clamp) {
  uint32_t n = clamp ? (c > 32 ? 32 : c) : (c & 31);
  uint64_t v = ((uint64_t)b << 32) | a;
  return left ? (uint32_t)((v << n) >> 32) : (uint32_t)(v >> n);
}

static _Float16 h2_lo(uint32_t x) { uint16_t h = (uint16_t)x; _Float16 f; memcpy(&f, &h, 2); return f; }
static _Float16 h2_hi(uint32_t x) { uint16_t h = (uint16_t)(x >> 16); _Float16 f; memcpy(&f, &h, 2); return f; }
static uint32_t h2_pack(_Float16 lo, _Float16 hi) {
  uint16_t l, h;
  memcpy(&l, &lo, 2);
  memcpy(&h, &hi, 2);
  return (uint32_t)l | ((uint32_t)h << 16);
}
