package dev.strider.runtime.cuda;

import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Whether this process can use a CUDA GPU, and if not, why: asked once, the answer cached. Touches only current
 * driver functions ({@code cuInit}, {@code cuDeviceGetCount}, {@code cuDeviceGet}, {@code cuDeviceGetName},
 * {@code cuDeviceGetAttribute}): JCuda binds driver symbols lazily, and calling one the installed driver lacks would
 * end the JVM rather than throw.
 *
 * <p>The two ways it fails without a GPU: no driver at all ({@code libcuda.so.1} missing: JCuda's native library
 * does not load, an {@link UnsatisfiedLinkError} on first touch and {@link NoClassDefFoundError} on every later
 * one), and a driver without a device ({@code cuInit} reports {@code CUDA_ERROR_NO_DEVICE}).
 */
public final class CudaProbe {
    /** What the probe found. {@code device} is null when not {@code usable}; {@code reason} is null when it is. */
    public record Availability(boolean usable, String device, int computeMajor, int computeMinor, String reason) {
        static Availability unusable(String reason) {
            return new Availability(false, null, 0, 0, reason);
        }

        @Override
        public String toString() {
            return usable ? "CUDA device 0: " + device + " (compute capability " + computeMajor + "." + computeMinor + ")"
                    : "no usable CUDA GPU: " + reason;
        }
    }

    private static Availability cached;

    private CudaProbe() {}

    /** The cached answer, probing on the first call. */
    public static synchronized Availability availability() {
        if (cached == null) {
            cached = probe();
        }
        return cached;
    }

    private static Availability probe() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] count = {0};
            JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) {
                return Availability.unusable("the CUDA driver is installed but reports no device");
            }
            CUdevice device = new CUdevice();
            JCudaDriver.cuDeviceGet(device, 0);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, device);
            int[] major = {0};
            int[] minor = {0};
            JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
            JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
            int end = 0;
            while (end < name.length && name[end] != 0) {
                end++;
            }
            return new Availability(true, new String(name, 0, end, java.nio.charset.StandardCharsets.US_ASCII), major[0], minor[0], null);
        } catch (UnsatisfiedLinkError e) {
            return Availability.unusable("no CUDA driver here (JCuda could not load it: " + firstLine(e) + ")");
        } catch (LinkageError e) {
            return Availability.unusable("the CUDA driver bindings failed to load earlier in this JVM (" + firstLine(e) + ")");
        } catch (CudaException e) {
            return Availability.unusable("the CUDA driver reports " + firstLine(e));
        }
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Prints what the probe found (one line) and exits 0 when a GPU is usable, 1 when not. */
    public static void main(String[] args) {
        Availability a = availability();
        System.out.println(a);
        System.exit(a.usable() ? 0 : 1);
    }
}
