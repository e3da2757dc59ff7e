package dev.strider.runtime.cuda;

import dev.strider.runtime.engine.Engine;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where an engine runs. {@link #AUTO}: the GPU when one is usable (driver, device, kernels loaded), else the Java
 * engine, logging which and why; {@link #CPU}: the Java engine; {@link #GPU}: the GPU engine, or a
 * {@link CudaUnavailableException} with the reason. Every generated engine class has a {@code create(Backend)}
 * factory that returns either behind the one {@link Engine} interface.
 */
public enum Backend {
    AUTO,
    CPU,
    GPU;

    private static final System.Logger LOG = System.getLogger("dev.strider");

    /** {@code auto}, {@code cpu} or {@code gpu} (any case); anything else is rejected with the three names. */
    public static Backend parse(String name) {
        for (Backend b : values()) {
            if (b.name().equalsIgnoreCase(name.strip())) {
                return b;
            }
        }
        throw new IllegalArgumentException("backend \"" + name + "\" is none of auto, cpu, gpu");
    }

    /** What {@link #open} chose and why: the engine, and one line for logs and command-line tools. */
    public record Choice(Engine engine, String reason) {}

    /**
     * An engine for network {@code network} on this backend: {@code cpu} builds the Java engine, {@code gpu} the GPU
     * engine on a device. The choice is logged at INFO (at WARNING when {@code auto} falls back).
     */
    public Choice open(String network, Supplier<? extends Engine> cpu, Function<Device, ? extends Engine> gpu) {
        switch (this) {
            case CPU -> {
                return logged(new Choice(cpu.get(), network + ": Java engine (backend cpu; " + kernelNote() + ")"), System.Logger.Level.INFO);
            }
            case GPU -> {
                Engine e = gpu(gpu);
                return logged(new Choice(e, network + ": GPU engine on " + ((CudaEngine) e).device() + " (backend gpu)"), System.Logger.Level.INFO);
            }
            default -> {
                try {
                    Engine e = gpu(gpu);
                    return logged(new Choice(e, network + ": GPU engine on " + ((CudaEngine) e).device() + " (backend auto)"), System.Logger.Level.INFO);
                } catch (CudaUnavailableException e) {
                    return logged(new Choice(cpu.get(), network + ": Java engine (backend auto: " + e.getMessage() + "; " + kernelNote() + ")"),
                            System.Logger.Level.WARNING);
                }
            }
        }
    }

    private static Engine gpu(Function<Device, ? extends Engine> gpu) {
        Device device = JCudaDevice.open();
        try {
            return gpu.apply(device);
        } catch (RuntimeException e) {
            try {
                device.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static String kernelNote() {
        return dev.strider.runtime.engine.Kernels.implementation();
    }

    private static Choice logged(Choice c, System.Logger.Level level) {
        LOG.log(level, c.reason());
        return c;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
