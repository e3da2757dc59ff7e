// The emulator's driver: reads every buffer of one network from a file, runs the generated host schedule (forward,
// or forward, loss and backward) and writes every buffer back.
//
// File format (little-endian), both ways: int32 batch, int32 training, int32 wantInputGrad, int32 backward; then,
// for each buffer in the generated table's order, int64 count followed by count 4-byte values (float or int32).
// On input a count may be smaller than the buffer (the rest is zero); on output it is the buffer's full length.
#include "strider_emulator.h"
#include STRIDER_NETWORK_CU

static void fail(const char* what, const char* file) {
    std::fprintf(stderr, "emulator: %s %s\n", what, file);
    std::exit(2);
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s IN OUT\n", argv[0]);
        return 2;
    }
    FILE* in = std::fopen(argv[1], "rb");
    if (!in) fail("cannot read", argv[1]);
    int32_t header[4];
    if (std::fread(header, sizeof header, 1, in) != 1) fail("no header in", argv[1]);
    std::vector<std::vector<int32_t>> storage(STRIDER_BUFFER_COUNT);
    void* buffers[STRIDER_BUFFER_COUNT];
    for (int i = 0; i < STRIDER_BUFFER_COUNT; i++) {
        storage[i].assign(strider_buffer_length(i), 0);
        buffers[i] = storage[i].data();
        int64_t count;
        if (std::fread(&count, sizeof count, 1, in) != 1) fail("truncated", argv[1]);
        if (count < 0 || count > strider_buffer_length(i)) fail("buffer too long in", argv[1]);
        if (count > 0 && std::fread(storage[i].data(), 4, (size_t) count, in) != (size_t) count) fail("truncated", argv[1]);
    }
    std::fclose(in);
    strider_forward(buffers, header[0], header[1]);
    if (header[3]) {
        strider_loss_and_backward(buffers, header[0], header[1], header[2]);
    }
    FILE* out = std::fopen(argv[2], "wb");
    if (!out) fail("cannot write", argv[2]);
    std::fwrite(header, sizeof header, 1, out);
    for (int i = 0; i < STRIDER_BUFFER_COUNT; i++) {
        int64_t count = strider_buffer_length(i);
        std::fwrite(&count, sizeof count, 1, out);
        std::fwrite(storage[i].data(), 4, (size_t) count, out);
    }
    return std::fclose(out) == 0 ? 0 : 2;
}
