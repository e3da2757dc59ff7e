// Runs Strider's generated CUDA kernels on the CPU, for tests on machines without a GPU.
//
// Every generated kernel is a grid-stride loop over its outputs, so a launch is emulated by one call with a grid of
// one block of one thread: that thread visits every output in order. The kernels use no shared memory, no
// __syncthreads and no atomics; a kernel that did would not compile here (on purpose).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

using std::max;
using std::min;

struct strider_dim3 {
    unsigned x, y, z;
};
static const strider_dim3 blockIdx = {0, 0, 0};
static const strider_dim3 threadIdx = {0, 0, 0};
static const strider_dim3 blockDim = {1, 1, 1};
static const strider_dim3 gridDim = {1, 1, 1};

#define __global__
#define __restrict__ __restrict
#define STRIDER_LAUNCH(kernel, total, ...) kernel(__VA_ARGS__)
#define STRIDER_HOST_SCHEDULE 1
