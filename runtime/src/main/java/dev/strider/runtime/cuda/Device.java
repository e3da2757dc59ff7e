package dev.strider.runtime.cuda;

/**
 * A CUDA device as the generated GPU engines use it: zeroed allocations, copies of whole prefixes between host
 * arrays and device buffers, one loaded module of kernels, and launches of those kernels by name. Every generated
 * kernel is a grid-stride loop over {@code total} outputs, so a launch gives only that count: the device chooses the
 * grid.
 *
 * <p>{@link #close()} frees every buffer and unloads the module. A device serves one engine from one thread at a
 * time; the engine calls {@link #bind()} before each operation, so an engine may move between threads.
 */
public interface Device extends AutoCloseable {
    /** One line: which device this is. */
    String description();

    /** Makes this device current for the calling thread (its context). */
    void bind();

    /** Loads the network's kernels; called once, before any launch. */
    void load(ModuleSource module);

    /** A zero-filled buffer of {@code bytes} bytes; {@code name} names it in error messages. */
    DeviceBuffer allocate(String name, long bytes);

    /** Frees {@code buffer} before the device closes (freeing it again does nothing). */
    void free(DeviceBuffer buffer);

    /** Copies {@code count} values of {@code src} to the start of {@code dst}. */
    void upload(DeviceBuffer dst, float[] src, int count);

    /** Copies {@code count} values of {@code src} to the start of {@code dst}. */
    void upload(DeviceBuffer dst, int[] src, int count);

    /** Copies the first {@code count} values of {@code src} into {@code dst}. */
    void download(DeviceBuffer src, float[] dst, int count);

    /** Copies the first {@code count} values of {@code src} into {@code dst}. */
    void download(DeviceBuffer src, int[] dst, int count);

    /** Copies {@code bytes} bytes from the start of {@code src} to the start of {@code dst}, on the device. */
    void copy(DeviceBuffer dst, DeviceBuffer src, long bytes);

    /**
     * Launches {@code kernel} over {@code total} outputs. Each argument is an {@link Integer} ({@code int}), a
     * {@link Float} ({@code float}), a {@link DeviceBuffer} (a pointer) or {@code null} (a null pointer), in the
     * kernel's parameter order.
     */
    void launch(String kernel, long total, Object... args);

    /**
     * Launches a cooperative {@code kernel} (one that shares tiles between the threads of a block) on exactly
     * {@code gridX x gridY x gridZ} blocks of {@link JCudaDevice#BLOCK} threads; arguments as for {@link #launch}.
     */
    void launchBlocks(String kernel, int gridX, int gridY, int gridZ, Object... args);

    /**
     * Runs the launches {@code launches} makes. A device may record them the first time it sees {@code key} and
     * replay the record afterwards (a CUDA graph), so the launches under one key must be the same every time: the
     * same kernels, grids and arguments (the engine's keys hold the batch size and the mode flags).
     */
    void replay(String key, Runnable launches);

    /** Waits for every launch and copy to finish; reports a failed kernel. */
    void synchronize();

    /** Frees every buffer and the module. Further calls fail; closing again does nothing. */
    @Override
    void close();
}
