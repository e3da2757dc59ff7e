package dev.strider.runtime.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * A {@link Device} on the CUDA driver API through JCuda: device 0's primary context, one module loaded from PTX
 * (or cubin/fatbin), {@code cuLaunchKernel} with blocks of {@value #BLOCK} threads on one stream of the device's own.
 * Only current driver functions are called (see {@link CudaProbe}).
 *
 * <p>{@link #replay} captures a sequence of launches into a CUDA graph the first time it sees a key and from then on
 * submits the whole sequence with one {@code cuGraphLaunch}: a forward pass of a small network is dozens of short
 * kernels, and one submission instead of one per kernel removes most of the host's launch cost. System property
 * {@value #GRAPHS_PROPERTY}{@code =false} launches kernel by kernel instead.
 *
 * <p>The stream is a blocking one, so the synchronous copies ({@code cuMemcpyHtoD} and the others, on the legacy
 * default stream) are ordered with the kernels without further synchronisation.
 */
public final class JCudaDevice implements Device {
    /** Threads per block, as the generated host schedule uses. */
    public static final int BLOCK = 256;
    /** Enough blocks to fill any current GPU; larger launches loop (every kernel is a grid-stride loop). */
    static final int MAX_GRID = 65_535;
    /** The system property that turns CUDA graphs off ({@code false}); on by default. */
    public static final String GRAPHS_PROPERTY = "strider.cuda.graphs";

    private final boolean graphsEnabled = !"false".equals(System.getProperty(GRAPHS_PROPERTY));
    private final Map<String, CUgraphExec> graphs = new HashMap<>();
    private final CUstream stream = new CUstream();

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final String description;
    private final ModuleLoader loader;
    private final List<Buffer> buffers = new ArrayList<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private CUmodule module;
    private String network;
    private boolean closed;

    private static final class Buffer implements DeviceBuffer {
        final JCudaDevice owner;
        final String name;
        final long bytes;
        final CUdeviceptr pointer;
        boolean freed;

        Buffer(JCudaDevice owner, String name, long bytes, CUdeviceptr pointer) {
            this.owner = owner;
            this.name = name;
            this.bytes = bytes;
            this.pointer = pointer;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public String toString() {
            return name + " (" + bytes + " bytes)";
        }
    }

    private JCudaDevice(CudaProbe.Availability a, ModuleLoader loader) {
        this.loader = loader;
        this.description = a.toString();
        try {
            JCudaDriver.cuDeviceGet(device, 0);
            JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
            JCudaDriver.cuCtxSetCurrent(context);
            JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT);
        } catch (CudaException e) {
            throw new CudaUnavailableException("cannot open " + a + ": " + e.getMessage(), e);
        }
    }

    /** Device 0 with {@link ModuleLoader#standard()}; {@link CudaUnavailableException} saying why when there is none. */
    public static JCudaDevice open() {
        return open(ModuleLoader.standard());
    }

    /** Device 0, loading modules through {@code loader}. */
    public static JCudaDevice open(ModuleLoader loader) {
        CudaProbe.Availability a = CudaProbe.availability();
        if (!a.usable()) {
            throw new CudaUnavailableException(a.reason());
        }
        return new JCudaDevice(a, loader);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void bind() {
        live();
        JCudaDriver.cuCtxSetCurrent(context);
    }

    @Override
    public void load(ModuleSource source) {
        live();
        if (module != null) {
            throw new IllegalStateException("this device already holds the kernels of " + network);
        }
        byte[] image = loader.image(source);
        CUmodule m = new CUmodule();
        try {
            JCudaDriver.cuModuleLoadData(m, image);
        } catch (CudaException e) {
            throw new CudaUnavailableException("the driver rejected the kernels of " + source.network() + ": " + e.getMessage(), e);
        }
        module = m;
        network = source.network();
    }

    @Override
    public DeviceBuffer allocate(String name, long bytes) {
        live();
        CUdeviceptr p = new CUdeviceptr();
        try {
            JCudaDriver.cuMemAlloc(p, Math.max(bytes, 4));
            JCudaDriver.cuMemsetD8(p, (byte) 0, Math.max(bytes, 4));
        } catch (CudaException e) {
            throw new CudaUnavailableException("cannot allocate " + bytes + " bytes for " + name + " on " + description + ": " + e.getMessage(), e);
        }
        Buffer b = new Buffer(this, name, bytes, p);
        buffers.add(b);
        return b;
    }

    @Override
    public void free(DeviceBuffer buffer) {
        if (buffer instanceof Buffer done && done.owner == this && done.freed) {
            return;
        }
        Buffer b = own(buffer, 0, "free");
        b.freed = true;
        buffers.remove(b);
        JCudaDriver.cuMemFree(b.pointer);
    }

    private Buffer own(DeviceBuffer b, long bytes, String op) {
        live();
        if (!(b instanceof Buffer buffer) || buffer.owner != this) {
            throw new IllegalArgumentException(op + ": " + b + " is not a buffer of this device");
        }
        if (buffer.freed) {
            throw new IllegalStateException(op + ": buffer " + buffer.name + " was freed");
        }
        if (bytes < 0 || bytes > buffer.bytes) {
            throw new IllegalArgumentException(op + ": " + bytes + " bytes do not fit buffer " + buffer.name + " (" + buffer.bytes + " bytes)");
        }
        return buffer;
    }

    @Override
    public void upload(DeviceBuffer dst, float[] src, int count) {
        checkArray(src.length, count, "upload", dst);
        JCudaDriver.cuMemcpyHtoD(own(dst, (long) count * Sizeof.FLOAT, "upload").pointer, Pointer.to(src), (long) count * Sizeof.FLOAT);
    }

    @Override
    public void upload(DeviceBuffer dst, int[] src, int count) {
        checkArray(src.length, count, "upload", dst);
        JCudaDriver.cuMemcpyHtoD(own(dst, (long) count * Sizeof.INT, "upload").pointer, Pointer.to(src), (long) count * Sizeof.INT);
    }

    @Override
    public void download(DeviceBuffer src, float[] dst, int count) {
        checkArray(dst.length, count, "download", src);
        JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), own(src, (long) count * Sizeof.FLOAT, "download").pointer, (long) count * Sizeof.FLOAT);
    }

    @Override
    public void download(DeviceBuffer src, int[] dst, int count) {
        checkArray(dst.length, count, "download", src);
        JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), own(src, (long) count * Sizeof.INT, "download").pointer, (long) count * Sizeof.INT);
    }

    private static void checkArray(int length, int count, String op, DeviceBuffer b) {
        if (count < 0 || count > length) {
            throw new IllegalArgumentException(op + " of " + count + " values with an array of " + length + " (buffer " + b.name() + ")");
        }
    }

    @Override
    public void copy(DeviceBuffer dst, DeviceBuffer src, long bytes) {
        JCudaDriver.cuMemcpyDtoD(own(dst, bytes, "copy").pointer, own(src, bytes, "copy").pointer, bytes);
    }

    @Override
    public void launch(String kernel, long total, Object... args) {
        int grid = (int) Math.max(1, Math.min(MAX_GRID, (total + BLOCK - 1) / BLOCK));
        JCudaDriver.cuLaunchKernel(function(kernel), grid, 1, 1, BLOCK, 1, 1, 0, stream, Pointer.to(parameters(kernel, args)), null);
    }

    @Override
    public void launchBlocks(String kernel, int gridX, int gridY, int gridZ, Object... args) {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || gridY > MAX_GRID || gridZ > MAX_GRID) {
            throw new IllegalArgumentException(kernel + ": no grid of " + gridX + " x " + gridY + " x " + gridZ + " blocks");
        }
        JCudaDriver.cuLaunchKernel(function(kernel), gridX, gridY, gridZ, BLOCK, 1, 1, 0, stream, Pointer.to(parameters(kernel, args)), null);
    }

    @Override
    public void replay(String key, Runnable launches) {
        live();
        if (!graphsEnabled) {
            launches.run();
            return;
        }
        CUgraphExec exec = graphs.get(key);
        if (exec == null) {
            CUgraph graph = new CUgraph();
            JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
            try {
                launches.run();
            } catch (RuntimeException | Error e) {
                try {
                    JCudaDriver.cuStreamEndCapture(stream, graph);
                    JCudaDriver.cuGraphDestroy(graph);
                } catch (CudaException ended) {
                    e.addSuppressed(ended);
                }
                throw e;
            }
            JCudaDriver.cuStreamEndCapture(stream, graph);
            exec = new CUgraphExec();
            try {
                JCudaDriver.cuGraphInstantiate(exec, graph, 0);
            } finally {
                JCudaDriver.cuGraphDestroy(graph);
            }
            graphs.put(key, exec);
        }
        JCudaDriver.cuGraphLaunch(exec, stream);
    }

    private CUfunction function(String kernel) {
        live();
        if (module == null) {
            throw new IllegalStateException("launch of " + kernel + " before any module was loaded");
        }
        CUfunction f = functions.get(kernel);
        if (f == null) {
            f = new CUfunction();
            try {
                JCudaDriver.cuModuleGetFunction(f, module, kernel);
            } catch (CudaException e) {
                throw new IllegalStateException("the kernels of " + network + " have no function " + kernel + ": " + e.getMessage(), e);
            }
            functions.put(kernel, f);
        }
        return f;
    }

    private Pointer[] parameters(String kernel, Object[] args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
            } else if (a == null) {
                params[i] = Pointer.to(new CUdeviceptr());
            } else if (a instanceof DeviceBuffer b) {
                params[i] = Pointer.to(own(b, 0, kernel).pointer);
            } else {
                throw new IllegalArgumentException(kernel + " argument " + i + " is a " + a.getClass().getName() + ", not int, float or a buffer");
            }
        }
        return params;
    }

    @Override
    public void synchronize() {
        live();
        JCudaDriver.cuCtxSynchronize();
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("this CUDA device was closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CudaException first = null;
        JCudaDriver.cuCtxSetCurrent(context);
        for (Buffer b : buffers) {
            try {
                JCudaDriver.cuMemFree(b.pointer);
            } catch (CudaException e) {
                first = first == null ? e : first;
            }
        }
        buffers.clear();
        try {
            for (CUgraphExec exec : graphs.values()) {
                JCudaDriver.cuGraphExecDestroy(exec);
            }
            graphs.clear();
            JCudaDriver.cuStreamDestroy(stream);
            if (module != null) {
                JCudaDriver.cuModuleUnload(module);
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        } catch (CudaException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
