// Runs the generated optimizer kernels (strider_sgd, strider_adam) on the CPU for several steps, with the host-side
// arithmetic a GPU engine does between launches (Adam's bias corrections in double).
//
// Input (little-endian): int32 kind (0 SGD, 1 Adam), int32 n, int32 steps; SGD: float64 rate, momentum, weightDecay,
// nesterov; Adam: float64 rate, beta1, beta2, eps, weightDecay; then n floats w, then steps x n floats of gradients.
// Output: n floats w.
#include "strider_emulator.h"
#include STRIDER_NETWORK_CU

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    FILE* in = std::fopen(argv[1], "rb");
    if (!in) return 2;
    int32_t head[3];
    double h[5];
    if (std::fread(head, sizeof head, 1, in) != 1 || std::fread(h, sizeof(double), head[0] == 0 ? 4 : 5, in) == 0) return 2;
    int n = head[1];
    std::vector<float> w(n), g(n), a(n, 0.0f), b(n, 0.0f);
    if (std::fread(w.data(), 4, n, in) != (size_t) n) return 2;
    for (int t = 1; t <= head[2]; t++) {
        if (std::fread(g.data(), 4, n, in) != (size_t) n) return 2;
        if (head[0] == 0) {
            strider_sgd(n, w.data(), g.data(), a.data(), t == 1, (float) h[0], (float) h[1], (float) h[2], (int) h[3]);
        } else {
            double beta1 = h[1], beta2 = h[2];
            double correction1 = 1 - std::pow(beta1, t);
            double correction2Sqrt = std::sqrt(1 - std::pow(beta2, t));
            float stepSize = (float) ((double) (float) h[0] / correction1);
            strider_adam(n, w.data(), g.data(), a.data(), b.data(), stepSize, (float) correction2Sqrt, (float) beta1,
                         (float) beta2, (float) (1 - beta1), (float) (1 - beta2), (float) h[3], (float) h[4]);
        }
    }
    std::fclose(in);
    FILE* out = std::fopen(argv[2], "wb");
    if (!out) return 2;
    std::fwrite(w.data(), 4, n, out);
    return std::fclose(out) == 0 ? 0 : 2;
}
