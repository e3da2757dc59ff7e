// A stand-in for libcuda.so.1 on a machine without a GPU: a driver that is installed but finds no device.
// cuInit fails with CUDA_ERROR_NO_DEVICE (100), as the real driver does without a device; the two error-name
// functions are what JCuda calls to build its exception message.
int cuInit(unsigned int flags) { (void) flags; return 100; }
int cuGetErrorName(int error, const char** name) { *name = error == 100 ? "CUDA_ERROR_NO_DEVICE" : "CUDA_ERROR_UNKNOWN"; return 0; }
int cuGetErrorString(int error, const char** s) { *s = error == 100 ? "no CUDA-capable device is detected" : "unknown error"; return 0; }
