// Runs Strider's generated CUDA kernels on the CPU, for tests on machines without a GPU.
//
// A launch runs its real grid: every block, every thread, with blockIdx, threadIdx, blockDim and gridDim set as on a
// GPU. A grid-stride kernel (STRIDER_LAUNCH) runs thread after thread. A cooperative kernel (STRIDER_LAUNCH_BLOCKS:
// tiles in __shared__ memory, __syncthreads) runs each thread of a block as a fiber with its own stack: a fiber runs
// until it reaches __syncthreads, then the next one runs; when all have arrived, they all go on. The order of the
// threads alternates between phases (first to last, then last to first), so a tile read before the barrier that
// should have protected it gives wrong values rather than lucky ones. A block where some threads end while others
// wait at a barrier (a divergent __syncthreads, undefined on a GPU) stops the emulator with a message.
//
// __shared__ variables are static: blocks run one after another, so one copy serves every block, as on a GPU where
// shared memory starts with undefined contents. Atomics and warp shuffles are not emulated; no kernel uses them.
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
static strider_dim3 blockIdx = {0, 0, 0};
static strider_dim3 threadIdx = {0, 0, 0};
static strider_dim3 blockDim = {1, 1, 1};
static strider_dim3 gridDim = {1, 1, 1};

#define __global__
#define __shared__ static
#define __restrict__ __restrict

#if !defined(__x86_64__)
#error "the fiber switch of strider_emulator.h is written for x86-64"
#endif

// strider_switch(&from, to): saves the callee-saved registers, the SSE and x87 control words and the stack pointer
// of the running fiber into *from and resumes the fiber whose stack pointer is to.
extern "C" void strider_switch(void** from, void* to);
asm(R"(
    .text
    .globl strider_switch
    .hidden strider_switch
    .type strider_switch, @function
strider_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size strider_switch, .-strider_switch
)");

namespace strider_emulator {
constexpr size_t STACK = 128 * 1024;

struct Fiber {
    void* sp;
    strider_dim3 thread;
    bool done;
};

// The running launch: its body (the kernel call), the fibers of the current block, the scheduler's stack pointer.
inline void (*body)(void*) = nullptr;
inline void* body_context = nullptr;
inline std::vector<Fiber> fibers;
inline std::vector<char> stacks;
inline void* scheduler_sp = nullptr;
inline int current = -1;

[[noreturn]] inline void fail(const char* why) {
    std::fprintf(stderr, "strider emulator: %s\n", why);
    std::fflush(stderr);
    std::abort();
}

[[noreturn]] inline void fiber_main() {
    body(body_context);
    fibers[current].done = true;
    strider_switch(&fibers[current].sp, scheduler_sp);
    fail("a finished fiber was resumed");
}

// The first switch into a fiber "returns" into fiber_main on a fresh stack, aligned as after a call.
inline void start(Fiber& f, char* stack_top) {
    uintptr_t top = ((uintptr_t) stack_top) & ~(uintptr_t) 15;
    void** sp = (void**) top;
    *--sp = nullptr;                         // fiber_main's return address: it never returns
    *--sp = (void*) &fiber_main;             // where strider_switch's ret goes
    for (int i = 0; i < 6; i++) *--sp = nullptr;   // rbp, rbx, r12 to r15
    --sp;
    uint32_t* control = (uint32_t*) sp;
    control[0] = 0x1F80;                     // MXCSR at reset: all exceptions masked, round to nearest
    control[1] = 0x037F;                     // x87 control word at reset
    f.sp = sp;
    f.done = false;
}

template <typename F>
inline void call(void* f) {
    (*(F*) f)();
}

// Runs every thread of every block of the grid; cooperative threads as fibers.
template <typename F>
inline void run(strider_dim3 grid, strider_dim3 block, bool cooperative, F kernel) {
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || block.x == 0 || block.y == 0 || block.z == 0) fail("an empty grid or block");
    gridDim = grid;
    blockDim = block;
    unsigned threads = block.x * block.y * block.z;
    if (cooperative) {
        body = &call<F>;
        body_context = &kernel;
        fibers.resize(threads);
        stacks.resize((size_t) threads * STACK);
    }
    for (unsigned bz = 0; bz < grid.z; bz++) for (unsigned by = 0; by < grid.y; by++) for (unsigned bx = 0; bx < grid.x; bx++) {
        blockIdx = {bx, by, bz};
        if (!cooperative) {
            for (unsigned t = 0; t < threads; t++) {
                threadIdx = {t % block.x, t / block.x % block.y, t / (block.x * block.y)};
                kernel();
            }
            continue;
        }
        for (unsigned t = 0; t < threads; t++) {
            fibers[t].thread = {t % block.x, t / block.x % block.y, t / (block.x * block.y)};
            start(fibers[t], stacks.data() + (size_t) (t + 1) * STACK);
        }
        for (int phase = 0;; phase++) {
            unsigned finished = 0;
            for (unsigned i = 0; i < threads; i++) {
                unsigned t = phase % 2 == 0 ? i : threads - 1 - i;
                current = (int) t;
                threadIdx = fibers[t].thread;
                strider_switch(&scheduler_sp, fibers[t].sp);
                if (fibers[t].done) finished++;
            }
            current = -1;
            if (finished == threads) break;
            if (finished != 0) fail("some threads of a block ended while others waited at __syncthreads (divergent barrier)");
        }
    }
    body = nullptr;
}

inline void barrier() {
    if (current < 0) fail("__syncthreads in a kernel launched as a grid-stride loop (STRIDER_LAUNCH, not STRIDER_LAUNCH_BLOCKS)");
    strider_switch(&fibers[current].sp, scheduler_sp);
}
}  // namespace strider_emulator

inline void __syncthreads() { strider_emulator::barrier(); }

// Grid-stride launches get the grid a device gets (JCudaDevice: 256-thread blocks, at most 65,535 of them).
#define STRIDER_LAUNCH(kernel, total, ...)                                                                          \
    strider_emulator::run({(unsigned) std::max(1L, std::min(65535L, ((long) (total) + 255) / 256)), 1, 1}, {256, 1, 1}, false, \
                          [&] { kernel(__VA_ARGS__); })
#define STRIDER_LAUNCH_BLOCKS(kernel, gx, gy, gz, ...) \
    strider_emulator::run({(unsigned) (gx), (unsigned) (gy), (unsigned) (gz)}, {256, 1, 1}, true, [&] { kernel(__VA_ARGS__); })
#define STRIDER_HOST_SCHEDULE 1
