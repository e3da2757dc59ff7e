// A CUDA driver for tests on machines without a GPU: the subset of the driver API that Strider's JCudaDevice calls,
// run on the CPU. Device memory is host memory; a "module image" is the text "strider-emulator:<path>", the path of
// a shared library built by the tests from a network's .cu file with strider_emulator.h and one launcher per kernel
// (strider_launch_<kernel>(void** params), params as cuLaunchKernel passes them). Loaded with System.load before
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
typedef void (*launcher)(void**);

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
CUresult cuModuleGetFunction(void** f, void* module, const char* name) {
    char symbol[512];
    snprintf(symbol, sizeof symbol, "strider_launch_%s", name);
    void* fn = dlsym(module, symbol);
    if (!fn) return NOT_FOUND;
    *f = fn;
    return SUCCESS;
}
// Every generated kernel is a grid-stride loop, so one thread (the emulator's fixed blockIdx/threadIdx) covers it.
CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void* stream, void** params, void** extra) {
    (void) gy; (void) gz; (void) by; (void) bz; (void) shared; (void) stream; (void) extra;
    if (gx == 0 || bx == 0) return INVALID_VALUE;
    ((launcher) f)(params);
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
