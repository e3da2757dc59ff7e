package dev.strider.processor.codegen.cuda;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A matrix product {@code C[m][n] = sum over k of A[m][k] B[k][n]} (per group) rendered as a cooperative CUDA kernel
 * tiled in shared memory: the form of every convolution (implicit GEMM: the im2col matrix is never stored, its tile
 * is gathered straight from the input) and dense layer, forward and backward.
 *
 * <p>A block of 256 threads computes a {@code BM x BN} tile of C, 16 values of k at a time: the block loads the
 * {@code BM x 16} slice of A and the {@code 16 x BN} slice of B into shared memory (each thread a few values, the
 * loads along the operand's contiguous index so that neighbouring threads read neighbouring addresses), synchronises,
 * and thread {@code (ty, tx)} adds the products for rows {@code ty + 16i} and columns {@code tx + 16j} to registers.
 * Every output is one thread's sum in increasing k, so results are deterministic. With {@code splits > 1} the k range
 * is cut into that many slices whose partial products go to a scratch buffer, summed in slice order by a second
 * kernel: deterministic parallelism for weight gradients, whose k (batch x positions) is long and whose m x n is small.
 * With {@code splitsOf} the number of slices is decided at launch, from the batch ({@code splits = gridDim.z / groups}):
 * a forward product at batch 1 has few tiles of C and a long k, a large batch has tiles enough.
 *
 * @param m the row count, a C expression of {@code batch} and literals; {@code mMax} its value at the largest batch
 * @param n the column count, likewise
 * @param k the depth, likewise
 * @param groups independent products (grouped convolutions): {@code g} in the loads and the store
 * @param splits slices of k (grid z is {@code groups * splits}); {@code split} in the store when above 1
 * @param aAlongK whether A is contiguous along k (else along m), which decides how threads share its loads
 * @param loadA statements that set {@code float v} from {@code m}, {@code k} (and {@code g}), run only in range
 * @param bAlongK whether B is contiguous along k (else along n)
 * @param loadB statements that set {@code v} from {@code k}, {@code n} (and {@code g})
 * @param store statements that store {@code acc}, the value of {@code C[m][n]} (and may read {@code g},
 *     {@code split}, and {@code splits} with {@code splitsOf})
 * @param splitsOf null, or the slices of k as a C and Java expression of {@code batch} (then {@code splits} is unused)
 */
record TiledGemm(String m, int mMax, String n, String k, int groups, int splits, boolean aAlongK, List<String> loadA,
                 boolean bAlongK, List<String> loadB, List<String> store, String splitsOf) {
    /** A product with a fixed number of slices of k. */
    TiledGemm(String m, int mMax, String n, String k, int groups, int splits, boolean aAlongK, List<String> loadA,
              boolean bAlongK, List<String> loadB, List<String> store) {
        this(m, mMax, n, k, groups, splits, aAlongK, loadA, bAlongK, loadB, store, null);
    }

    /** The same product with the slices of k decided at launch by {@code splitsOf} and stored by {@code store}. */
    TiledGemm withSplitsOf(String splitsOf, List<String> store) {
        return new TiledGemm(m, mMax, n, k, groups, 1, aAlongK, loadA, bAlongK, loadB, store, splitsOf);
    }

    /** The depth of a tile. */
    static final int BK = 16;
    private static final Pattern USES_G = Pattern.compile("\\bg\\b");

    /** Rows of a tile: small products (a few output channels, a small batch) get flat tiles. */
    int bm() {
        return mMax <= 16 ? 16 : mMax <= 32 ? 32 : 64;
    }

    /** Columns of a tile. */
    int bn() {
        return bm() == 64 ? 64 : 128;
    }

    /** The grid: x over n, y over m, z over groups and slices of k; C (and Java) expressions. */
    List<String> blocks() {
        String z = splitsOf != null ? (groups == 1 ? splitsOf : groups + " * " + splitsOf) : String.valueOf(groups * splits);
        return List.of(ceil(n, bn()), ceil(m, bm()), z);
    }

    /** Tiles of C at a batch: the blocks of one slice of k ({@code n} and {@code m} evaluated at that batch). */
    long tiles(long mValue, long nValue) {
        return groups * ((mValue + bm() - 1) / bm()) * ((nValue + bn() - 1) / bn());
    }

    private static String ceil(String count, int tile) {
        if (count.matches("\\d+")) {
            return String.valueOf((Integer.parseInt(count) + tile - 1) / tile);
        }
        return "(" + count + " + " + (tile - 1) + ") / " + tile;
    }

    /** Renders the kernel: {@code params} after {@code int batch}; {@code doc} names the product. */
    void render(CudaSource cu, String name, String doc, String params) {
        int bm = bm();
        int bn = bn();
        int tm = bm / 16;
        int tn = bn / 16;
        cu.comment("%s", doc);
        cu.comment("C[m][n] = sum over k of A[m][k] B[k][n] with m < %s, n < %s, k < %s%s: tiles of %d x %d outputs through shared", m, n, k,
                groups > 1 ? " in each of " + groups + " groups" : "", bm, bn);
        cu.comment("memory, %d values of k at a time; thread (ty, tx) sums rows ty + 16i, columns tx + 16j in registers%s", BK,
                splitsOf != null ? "; k in slices (grid z: " + splitsOf + ") when there are few tiles, partial sums summed by the next kernel"
                        : splits > 1 ? "; k in " + splits + " slices (grid z), partial sums summed by the next kernel" : "");
        cu.open("extern \"C\" __global__ void %s(int batch, %s)", name, params);
        cu.line("__shared__ float As[%d][%d];", BK, bm + 1);
        cu.line("__shared__ float Bs[%d][%d];", BK, bn + 1);
        cu.line("const int t = threadIdx.x, tx = t %% 16, ty = t / 16;");
        cu.line("const int M = %s, N = %s, K = %s;", m, n, k);
        cu.line("const int m0 = blockIdx.y * %d, n0 = blockIdx.x * %d;", bm, bn);
        String all = String.join("\n", loadA) + String.join("\n", loadB) + String.join("\n", store);
        if (USES_G.matcher(all).find()) {
            cu.line("const int g = %s;", groups > 1 ? "blockIdx.z % " + groups : "0");
        }
        if (splitsOf != null) {
            cu.line("const int splits = gridDim.z / %d, split = blockIdx.z / %d;", groups, groups);
            cu.line("const int chunk = (K + splits * %d - 1) / (splits * %d) * %d;", BK, BK, BK);
            cu.line("const int kBegin = split * chunk, kEnd = min(K, kBegin + chunk);");
        } else if (splits > 1) {
            cu.line("const int split = blockIdx.z / %d;", groups);
            cu.line("const int chunk = (K + %d) / %d * %d;", splits * BK - 1, splits * BK, BK);
            cu.line("const int kBegin = split * chunk, kEnd = min(K, kBegin + chunk);");
        } else {
            cu.line("const int kBegin = 0, kEnd = K;");
        }
        cu.line("(void) batch;");
        cu.line("float sum[%d][%d];", tm, tn);
        cu.line("STRIDER_UNROLL for (int i = 0; i < %d; i++) STRIDER_UNROLL for (int j = 0; j < %d; j++) sum[i][j] = 0.0f;", tm, tn);
        cu.open("for (int k0 = kBegin; k0 < kEnd; k0 += %d)", BK);
        load(cu, "As", "m", bm, aAlongK, loadA, "m < M && k < kEnd");
        load(cu, "Bs", "n", bn, bAlongK, loadB, "n < N && k < kEnd");
        cu.line("__syncthreads();");
        // the register arrays need their i and j loops unrolled; the k loop only walks shared memory, so 4 at a time
        cu.open("STRIDER_UNROLL4 for (int kk = 0; kk < %d; kk++)", BK);
        cu.line("float a[%d], b[%d];", tm, tn);
        cu.line("STRIDER_UNROLL for (int i = 0; i < %d; i++) a[i] = As[kk][ty + 16 * i];", tm);
        cu.line("STRIDER_UNROLL for (int j = 0; j < %d; j++) b[j] = Bs[kk][tx + 16 * j];", tn);
        cu.line("STRIDER_UNROLL for (int i = 0; i < %d; i++) STRIDER_UNROLL for (int j = 0; j < %d; j++) sum[i][j] += a[i] * b[j];", tm, tn);
        cu.close();
        cu.line("__syncthreads();");
        cu.close();
        cu.open("STRIDER_UNROLL for (int i = 0; i < %d; i++)", tm);
        cu.line("const int m = m0 + ty + 16 * i;");
        cu.open("STRIDER_UNROLL for (int j = 0; j < %d; j++)", tn);
        cu.line("const int n = n0 + tx + 16 * j;");
        cu.open("if (m < M && n < N)");
        cu.line("const float acc = sum[i][j];");
        store.forEach(s -> cu.line("%s", s));
        cu.close().close().close().close().blank();
    }

    /** One operand's tile: {@code 16 x tile} values, {@code 16 * tile / 256} per thread. */
    private static void load(CudaSource cu, String array, String index, int tile, boolean alongK, List<String> body,
                             String inRange) {
        cu.open("STRIDER_UNROLL for (int slot = 0; slot < %d; slot++)", BK * tile / CudaGenerator.BLOCK);
        cu.line("const int e = t + slot * %d;", CudaGenerator.BLOCK);
        if (alongK) {
            cu.line("const int kk = e %% %d, %s%s = e / %d;", BK, index, index, BK);
        } else {
            cu.line("const int %s%s = e %% %d, kk = e / %d;", index, index, tile, tile);
        }
        cu.line("const int %s = %s0 + %s%s, k = k0 + kk;", index, index, index, index);
        cu.line("float v = 0.0f;");
        cu.open("if (%s)", inRange);
        body.forEach(s -> cu.line("%s", s));
        cu.close();
        cu.line("%s[kk][%s%s] = v;", array, index, index);
        cu.close();
    }
}
