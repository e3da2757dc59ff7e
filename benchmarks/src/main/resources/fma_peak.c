/*
 * The machine's FMA peak on one core, the yardstick of Strider's benchmarks: twelve independent chains of
 * 16-float fused multiply-adds (enough to cover the FMA latency on two ports), for about a second.
 * Built by the benchmark runner with gcc -O2 -march=native -mprefer-vector-width=512 (GCC contracts c * x + y into
 * FMAs; the chains are separate variables so that they stay in registers); run once per core
 * measured, all at the same time. Prints GFLOP/s (a multiply-add counts two).
 */
#include <stdio.h>
#include <time.h>

typedef float v16 __attribute__((vector_size(64)));

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    v16 x, y;
    for (int i = 0; i < 16; i++) {
        x[i] = 0.999999f;
        y[i] = 1e-7f;
    }
    /* Each chain starts from its own value: chains that start equal are equal throughout, and GCC computes them
       once (one FMA per step, not twelve: a peak twelve times too high). */
    v16 c0 = y * 0, c1 = y * 1, c2 = y * 2, c3 = y * 3, c4 = y * 4, c5 = y * 5, c6 = y * 6, c7 = y * 7, c8 = y * 8,
        c9 = y * 9, c10 = y * 10, c11 = y * 11;
    long steps = 0;
    double start = now(), elapsed;
    do {
        for (long i = 0; i < 10000000; i++) {
            c0 = c0 * x + y; c1 = c1 * x + y; c2 = c2 * x + y; c3 = c3 * x + y;
            c4 = c4 * x + y; c5 = c5 * x + y; c6 = c6 * x + y; c7 = c7 * x + y;
            c8 = c8 * x + y; c9 = c9 * x + y; c10 = c10 * x + y; c11 = c11 * x + y;
        }
        steps += 10000000;
        elapsed = now() - start;
    } while (elapsed < 1.0);
    v16 all = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
    float sum = 0;
    for (int i = 0; i < 16; i++) {
        sum += all[i];
    }
    printf("%.3f GFLOP/s (checksum %g)\n", 2.0 * 16 * 12 * steps / elapsed / 1e9, sum);
    return 0;
}
