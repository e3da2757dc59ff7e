package dev.strider.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.cuda.CudaEngine;
import dev.strider.runtime.cuda.Device;
import dev.strider.runtime.cuda.DeviceBuffer;
import dev.strider.runtime.cuda.ModuleSource;
import dev.strider.samples.ConvBnNetCudaEngine;
import dev.strider.samples.ResNet18CudaEngine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The GPU engine's forward products cut into slices of k at small batches (CudaGenerator.forwardSplits): the grids
 * the generated engine launches, read off a device that records launches instead of running them. The rule: enough
 * slices for 264 blocks, each slice at least 128 deep, at most 32; the tiles are 64 x 64 for these layers.
 *
 * <ul>
 *   <li>ResNet-18, by hand. conv1: k = 3 x 7 x 7 = 147, under two slices of 128: one grid layer and no
 *       {@code _forward_sum}. layer1_0_conv1: k = 64 x 3 x 3 = 576, at most 4 slices; 3,136 positions per image, so
 *       49 tiles at batch 1 (264 / 49 -> 6, capped at 4) and 98 at batch 2 (3). layer4_0_conv1: k = 2,304, at most
 *       18; 512 rows x 49 columns = 8 tiles at batch 1 (33 -> 18), 16 at batch 2 (17). layer4_0_conv2: k = 4,608, at
 *       most 32 (33 -> 32; 17).</li>
 *   <li>ConvBnNet's conv2 (32 -> 64 channels at 14 x 14, k = 288: at most 2 slices): ceil(196 b / 64) tiles, under
 *       264 up to batch 85 (261 tiles), 264 at batch 86: two slices up to 85, one from 86 to 128, where the product
 *       stores its outputs itself. Its partial sums' buffer holds 2 x 85 x 12,544 floats.</li>
 *   <li>At every batch, every sliced product's partial sums fit its buffer, and its {@code _forward_sum} follows it.</li>
 * </ul>
 */
class ForwardSlicesTest {
    /** One launch: a cooperative one's grid, or a grid-stride one's total (gridY = gridZ = 0). */
    private record Launched(String kernel, long gridX, int gridY, int gridZ, List<Object> args) {}

    private record Buffer(String name, long bytes) implements DeviceBuffer {}

    /** A device that allocates nothing and runs nothing: it records the launches. */
    private static class Recorder implements Device {
        final List<Launched> launches = new ArrayList<>();

        @Override public String description() { return "recorder"; }
        @Override public void bind() {}
        @Override public void load(ModuleSource module) {}
        @Override public DeviceBuffer allocate(String name, long bytes) { return new Buffer(name, bytes); }
        @Override public void free(DeviceBuffer buffer) {}
        @Override public void upload(DeviceBuffer dst, float[] src, int count) {}
        @Override public void upload(DeviceBuffer dst, int[] src, int count) {}
        @Override public void download(DeviceBuffer src, float[] dst, int count) {}
        @Override public void download(DeviceBuffer src, int[] dst, int count) {}
        @Override public void copy(DeviceBuffer dst, DeviceBuffer src, long bytes) {}
        @Override public void launch(String kernel, long total, Object... args) {
            launches.add(new Launched(kernel, total, 0, 0, List.of(args)));
        }
        @Override public void launchBlocks(String kernel, int gridX, int gridY, int gridZ, Object... args) {
            launches.add(new Launched(kernel, gridX, gridY, gridZ, List.of(args)));
        }
        @Override public void replay(String key, Runnable launches) { launches.run(); }
        @Override public void synchronize() {}
        @Override public void close() {}
    }

    /** The launches of one forward pass at {@code batch}. */
    private static List<Launched> forward(CudaEngine engine, Recorder device, int batch) {
        device.launches.clear();
        engine.forward(new float[batch * engine.inputSize()], batch, new float[batch * engine.outputSize()]);
        return List.copyOf(device.launches);
    }

    /** Whether {@code kernel} is {@code layer}'s {@code suffix} kernel (kernel names may carry an {@code L<n>_} prefix). */
    private static boolean of(String kernel, String layer, String suffix) {
        return kernel.matches("(L\\d+_)?" + layer + suffix);
    }

    private static Launched product(List<Launched> launches, String layer) {
        return launches.stream().filter(l -> of(l.kernel(), layer, "_forward")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + layer + "_forward launch"));
    }

    private static boolean summed(List<Launched> launches, String layer) {
        return launches.stream().anyMatch(l -> of(l.kernel(), layer, "_forward_sum"));
    }

    @Test
    void resNet18SlicesItsLaterStagesAtBatchOneAndTwo() {
        Recorder device = new Recorder();
        try (CudaEngine engine = new ResNet18CudaEngine(device)) {
            engine.initialize(1);
            List<Launched> one = forward(engine, device, 1);
            assertEquals(196, product(one, "conv1").gridX());   // 112 x 112 positions in 64-column tiles
            assertEquals(1, product(one, "conv1").gridZ());
            assertFalse(summed(one, "conv1"), "conv1 (k = 147) is not sliced");
            assertEquals(4, product(one, "layer1_0_conv1").gridZ());
            assertEquals(49, product(one, "layer1_0_conv1").gridX());
            assertEquals(18, product(one, "layer4_0_conv1").gridZ());
            assertEquals(8, product(one, "layer4_0_conv1").gridY());
            assertEquals(32, product(one, "layer4_0_conv2").gridZ());
            List<Launched> two = forward(engine, device, 2);
            assertEquals(3, product(two, "layer1_0_conv1").gridZ());
            assertEquals(17, product(two, "layer4_0_conv1").gridZ());
            assertEquals(17, product(two, "layer4_0_conv2").gridZ());
            for (int batch = 1; batch <= engine.maxBatch(); batch++) {
                checkPartials(forward(engine, device, batch), batch);
            }
        }
    }

    @Test
    void convBnNetSlicesConv2UpToBatch85() {
        List<Long> partialBytes = new ArrayList<>();
        Recorder device = new Recorder() {
            @Override public DeviceBuffer allocate(String name, long bytes) {
                if (name.endsWith("conv2ForwardPartial")) {
                    partialBytes.add(bytes);
                }
                return super.allocate(name, bytes);
            }
        };
        try (CudaEngine engine = new ConvBnNetCudaEngine(device)) {
            assertEquals(List.of(2L * 85 * 12_544 * 4), partialBytes);
            engine.initialize(1);
            assertEquals(128, engine.maxBatch());
            for (int batch = 1; batch <= engine.maxBatch(); batch++) {
                List<Launched> launches = forward(engine, device, batch);
                assertEquals(batch <= 85 ? 2 : 1, product(launches, "conv2").gridZ(), "conv2's slices at batch " + batch);
                assertEquals((batch * 196 + 63) / 64, product(launches, "conv2").gridX(), "conv2's column tiles at batch " + batch);
                checkPartials(launches, batch);
            }
        }
    }

    /** Every sliced product writes no more partial sums than its buffer holds and is followed by its sum. */
    private static void checkPartials(List<Launched> launches, int batch) {
        int sliced = 0;
        for (int i = 0; i < launches.size(); i++) {
            Launched l = launches.get(i);
            Buffer partial = (Buffer) l.args().stream().filter(a -> a instanceof Buffer b && b.name().endsWith("ForwardPartial"))
                    .findFirst().orElse(null);
            if (partial == null || l.kernel().endsWith("_sum")) {
                continue;
            }
            Launched sum = launches.get(i + 1);
            assertEquals(l.kernel() + "_sum", sum.kernel(), "the sum follows " + l.kernel());
            long perSlice = sum.gridX() * 4L;   // batch x the layer's outputs, in bytes
            assertTrue(l.gridZ() * perSlice <= partial.bytes(), l.kernel() + " at batch " + batch + ": " + l.gridZ() + " slices of "
                    + perSlice + " bytes do not fit " + partial.name() + " (" + partial.bytes() + " bytes)");
            if (l.gridZ() > 1) {
                sliced++;
            }
        }
        assertTrue(batch > 1 || sliced > 0, "nothing sliced at batch 1");
    }
}
