// Checks of strider_emulator.h itself: that a cooperative launch really runs the threads of a block together (a
// shared-memory exchange with a barrier is right, the same exchange without it is wrong), and that the emulator
// stops on a barrier that only some threads reach or on a barrier in a grid-stride launch.
//
// Usage: emulator_selftest synced|racy|divergent|grid-stride-barrier; prints "right" or "wrong" for the first two.
#include "strider_emulator.h"
#include <cstring>

// Each block reverses its 256 values through shared memory.
extern "C" __global__ void reverse_synced(const float* in, float* out) {
    __shared__ float tile[256];
    const int t = threadIdx.x, base = blockIdx.x * 256;
    tile[t] = in[base + t];
    __syncthreads();
    out[base + t] = tile[255 - t];
}

// The same without the barrier: a thread may read its partner's slot before the partner wrote it.
extern "C" __global__ void reverse_racy(const float* in, float* out) {
    __shared__ float tile[256];
    const int t = threadIdx.x, base = blockIdx.x * 256;
    tile[t] = in[base + t];
    out[base + t] = tile[255 - t];
}

extern "C" __global__ void divergent(float* out) {
    if (threadIdx.x < 128) __syncthreads();
    out[threadIdx.x] = 1.0f;
}

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const int blocks = 3;
    std::vector<float> in(blocks * 256), out(blocks * 256, -1.0f);
    for (int i = 0; i < blocks * 256; i++) in[i] = (float) i;
    const float* src = in.data();
    float* dst = out.data();
    if (!std::strcmp(argv[1], "synced")) {
        STRIDER_LAUNCH_BLOCKS(reverse_synced, blocks, 1, 1, src, dst);
    } else if (!std::strcmp(argv[1], "racy")) {
        STRIDER_LAUNCH_BLOCKS(reverse_racy, blocks, 1, 1, src, dst);
    } else if (!std::strcmp(argv[1], "divergent")) {
        STRIDER_LAUNCH_BLOCKS(divergent, 1, 1, 1, dst);
        return 0;
    } else if (!std::strcmp(argv[1], "grid-stride-barrier")) {
        STRIDER_LAUNCH(reverse_synced, 256, src, dst);
        return 0;
    } else {
        return 2;
    }
    bool right = true;
    for (int b = 0; b < blocks; b++) for (int t = 0; t < 256; t++) right &= out[b * 256 + t] == in[b * 256 + 255 - t];
    std::printf("%s\n", right ? "right" : "wrong");
    return 0;
}
