// A CUDA driver for tests on machines without a GPU: the subset of the driver API that Strider's JCudaDevice calls,
// run on the CPU. Device memory is host memory; a "module image" is the text "strider-emulator:<path>", the path of
// a shared library built by the tests from a network's .cu file with strider_emulator.h and one launcher per kernel
// (strider_launch_<kernel>(void** params, grid x, y, z, block x, y, z), params as cuLaunchKernel passes them; it runs
// the kernel's whole grid). Loaded with System.load before
// JCuda's native library, under the soname libcuda.so.1, so that JCuda binds to it.
//
// Any other image (real PTX) is rejected as CUDA_ERROR_INVALID_IMAGE, the way a driver rejects a bad module.
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void (*launcher)(void**, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned);

enum {
    SUCCESS = 0,
    INVALID_VALUE = 1,
    OUT_OF_MEMORY = 2,
    INVALID_IMAGE = 200,
    NOT_FOUND = 500,
};

static int context_token;
static const char PREFIX[] = "strider-emulator:";

// With STRIDER_FAKE_CUDA_NO_DEVICE set it is a driver without a device, as on a machine whose GPU is missing.
CUresult cuInit(unsigned int flags) { (void) flags; return getenv("STRIDER_FAKE_CUDA_NO_DEVICE") ? 100 : SUCCESS; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return SUCCESS; }
CUresult cuDeviceGetCount(int* n) { *n = 1; return SUCCESS; }
CUresult cuDeviceGet(CUdevice* d, int ordinal) { *d = ordinal; return ordinal == 0 ? SUCCESS : INVALID_VALUE; }
CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
    (void) d;
    snprintf(name, (size_t) len, "Strider CPU emulator");
    return SUCCESS;
}
CUresult cuDeviceGetAttribute(int* v, int attribute, CUdevice d) {
    (void) d;
    *v = attribute == 75 ? 9 : 0;   // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75, MINOR = 76
    return SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(void** ctx, CUdevice d) { (void) d; *ctx = &context_token; return SUCCESS; }
CUresult cuDevicePrimaryCtxRelease(CUdevice d) { (void) d; return SUCCESS; }
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) { (void) d; return SUCCESS; }
CUresult cuCtxSetCurrent(void* ctx) { return ctx == &context_token ? SUCCESS : INVALID_VALUE; }
CUresult cuCtxSynchronize(void) { return SUCCESS; }

CUresult cuMemAlloc(CUdeviceptr* p, size_t bytes) {
    void* m = calloc(1, bytes);
    if (!m) return OUT_OF_MEMORY;
    *p = (CUdeviceptr) (uintptr_t) m;
    return SUCCESS;
}
CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) { return cuMemAlloc(p, bytes); }
CUresult cuMemFree(CUdeviceptr p) { free((void*) (uintptr_t) p); return SUCCESS; }
CUresult cuMemFree_v2(CUdeviceptr p) { return cuMemFree(p); }
CUresult cuMemsetD8(CUdeviceptr p, unsigned char v, size_t n) { memset((void*) (uintptr_t) p, v, n); return SUCCESS; }
CUresult cuMemsetD8_v2(CUdeviceptr p, unsigned char v, size_t n) { return cuMemsetD8(p, v, n); }
CUresult cuMemcpyHtoD(CUdeviceptr dst, const void* src, size_t n) { memcpy((void*) (uintptr_t) dst, src, n); return SUCCESS; }
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) { return cuMemcpyHtoD(dst, src, n); }
CUresult cuMemcpyDtoH(void* dst, CUdeviceptr src, size_t n) { memcpy(dst, (void*) (uintptr_t) src, n); return SUCCESS; }
CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) { return cuMemcpyDtoH(dst, src, n); }
CUresult cuMemcpyDtoD(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    memmove((void*) (uintptr_t) dst, (void*) (uintptr_t) src, n);
    return SUCCESS;
}
CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) { return cuMemcpyDtoD(dst, src, n); }

CUresult cuModuleLoadData(void** module, const void* image) {
    const char* text = (const char*) image;
    if (strncmp(text, PREFIX, sizeof PREFIX - 1) != 0) return INVALID_IMAGE;
    void* handle = dlopen(text + sizeof PREFIX - 1, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        fprintf(stderr, "fake driver: %s\n", dlerror());
        return INVALID_IMAGE;
    }
    *module = handle;
    return SUCCESS;
}
CUresult cuModuleUnload(void* module) { return dlclose(module) == 0 ? SUCCESS : INVALID_VALUE; }
// A function: its launcher and the byte size of each parameter (strider_param_sizes_<kernel>, ending with 0), which a
// stream capture needs to copy the arguments, as a driver does from the kernel's metadata.
typedef struct {
    launcher run;
    const int* sizes;
} function;

CUresult cuModuleGetFunction(void** f, void* module, const char* name) {
    char symbol[512];
    snprintf(symbol, sizeof symbol, "strider_launch_%s", name);
    void* fn = dlsym(module, symbol);
    snprintf(symbol, sizeof symbol, "strider_param_sizes_%s", name);
    void* sizes = dlsym(module, symbol);
    if (!fn || !sizes) return NOT_FOUND;
    function* result = malloc(sizeof *result);
    if (!result) return OUT_OF_MEMORY;
    result->run = (launcher) fn;
    result->sizes = (const int*) sizes;
    *f = result;
    return SUCCESS;
}

// Streams and graphs. A stream in capture records each launch (its function, grid and a copy of its arguments) into
// a graph instead of running it; launching the graph runs the records in order. Launches on a stream that is not
// capturing, or on the legacy stream (null), run at once.
typedef struct {
    function* f;
    unsigned geometry[6];
    int count;
    void* params[64];
    unsigned char* values;
} node;

typedef struct {
    node* nodes;
    int count, capacity;
} graph;

typedef struct {
    graph* capture;
} stream;

static void run_node(const node* n) {
    n->f->run((void**) n->params, n->geometry[0], n->geometry[1], n->geometry[2], n->geometry[3], n->geometry[4], n->geometry[5]);
}

CUresult cuStreamCreate(void** s, unsigned flags) {
    (void) flags;
    stream* result = calloc(1, sizeof *result);
    if (!result) return OUT_OF_MEMORY;
    *s = result;
    return SUCCESS;
}
CUresult cuStreamDestroy(void* s) { free(s); return SUCCESS; }
CUresult cuStreamDestroy_v2(void* s) { return cuStreamDestroy(s); }
CUresult cuStreamSynchronize(void* s) { (void) s; return SUCCESS; }
CUresult cuStreamBeginCapture(void* s, int mode) {
    (void) mode;
    stream* st = s;
    if (!st || st->capture) return INVALID_VALUE;
    st->capture = calloc(1, sizeof(graph));
    return st->capture ? SUCCESS : OUT_OF_MEMORY;
}
CUresult cuStreamBeginCapture_v2(void* s, int mode) { return cuStreamBeginCapture(s, mode); }
CUresult cuStreamEndCapture(void* s, void** g) {
    stream* st = s;
    if (!st || !st->capture) return INVALID_VALUE;
    *g = st->capture;
    st->capture = NULL;
    return SUCCESS;
}
CUresult cuGraphDestroy(void* g) {
    graph* gr = g;
    for (int i = 0; i < gr->count; i++) free(gr->nodes[i].values);
    free(gr->nodes);
    free(gr);
    return SUCCESS;
}
// Copies a launch's argument values (as the function's parameter sizes say) into n, which then owns them.
static CUresult keep_arguments(node* n, void* const* params) {
    size_t bytes = 0;
    for (int p = 0; p < n->count; p++) bytes += (size_t) n->f->sizes[p];
    n->values = malloc(bytes > 0 ? bytes : 1);
    if (!n->values) return OUT_OF_MEMORY;
    size_t at = 0;
    for (int p = 0; p < n->count; p++) {
        memcpy(n->values + at, params[p], (size_t) n->f->sizes[p]);
        n->params[p] = n->values + at;
        at += (size_t) n->f->sizes[p];
    }
    return SUCCESS;
}

// An executable graph is a copy of the graph's nodes (the graph may be destroyed after instantiation).
CUresult cuGraphInstantiateWithFlags(void** exec, void* g, unsigned long long flags) {
    (void) flags;
    graph* gr = g;
    graph* copy = calloc(1, sizeof *copy);
    if (!copy) return OUT_OF_MEMORY;
    copy->nodes = calloc((size_t) (gr->count > 0 ? gr->count : 1), sizeof(node));
    if (!copy->nodes) return OUT_OF_MEMORY;
    for (int i = 0; i < gr->count; i++) {
        copy->nodes[i] = gr->nodes[i];
        CUresult r = keep_arguments(&copy->nodes[i], gr->nodes[i].params);
        if (r != SUCCESS) return r;
    }
    copy->count = gr->count;
    *exec = copy;
    return SUCCESS;
}
CUresult cuGraphExecDestroy(void* exec) { return cuGraphDestroy(exec); }
CUresult cuGraphLaunch(void* exec, void* s) {
    (void) s;
    graph* gr = exec;
    for (int i = 0; i < gr->count; i++) run_node(&gr->nodes[i]);
    return SUCCESS;
}

CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void* s, void** params, void** extra) {
    (void) shared; (void) extra;
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || bx * by * bz > 1024) return INVALID_VALUE;
    function* fn = f;
    node n = {fn, {gx, gy, gz, bx, by, bz}, 0, {0}, NULL};
    while (fn->sizes[n.count] > 0) {
        if (n.count == 64) return INVALID_VALUE;
        n.count++;
    }
    stream* st = s;
    if (!st || !st->capture) {
        // the launcher runs every block and thread of the grid on the CPU (strider_emulator.h), synchronously
        fn->run(params, gx, gy, gz, bx, by, bz);
        return SUCCESS;
    }
    CUresult kept = keep_arguments(&n, params);
    if (kept != SUCCESS) return kept;
    graph* g = st->capture;
    if (g->count == g->capacity) {
        int capacity = g->capacity ? 2 * g->capacity : 64;
        node* grown = realloc(g->nodes, (size_t) capacity * sizeof(node));
        if (!grown) return OUT_OF_MEMORY;
        g->nodes = grown;
        g->capacity = capacity;
    }
    g->nodes[g->count++] = n;
    return SUCCESS;
}

static const char* error_name(int e) {
    switch (e) {
        case SUCCESS: return "CUDA_SUCCESS";
        case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case 100: return "CUDA_ERROR_NO_DEVICE";
        default: return "CUDA_ERROR_UNKNOWN";
    }
}
CUresult cuGetErrorName(int e, const char** s) { *s = error_name(e); return SUCCESS; }
CUresult cuGetErrorString(int e, const char** s) { *s = error_name(e); return SUCCESS; }
