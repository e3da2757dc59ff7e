package dev.strider.runtime.cuda;

/** Memory on a {@link Device}: its name (for messages) and size. Freed when the device closes. */
public interface DeviceBuffer {
    String name();

    long bytes();
}
