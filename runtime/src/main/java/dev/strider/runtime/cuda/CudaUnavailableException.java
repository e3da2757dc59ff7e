package dev.strider.runtime.cuda;

/**
 * The GPU cannot run this engine, and why: no driver, no device, no PTX and no {@code nvcc}, a module the driver
 * rejects, or too little device memory. {@link Backend#AUTO} catches it and runs the Java engine instead.
 */
public class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String reason) {
        super(reason);
    }

    public CudaUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
