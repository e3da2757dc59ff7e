package dev.strider.tests.gpu;

import dev.strider.runtime.cuda.Backend;
import dev.strider.runtime.cuda.CudaUnavailableException;
import dev.strider.samples.LeNet5Engine;

/** Run in a fresh JVM by {@link BackendTest}: prints what each backend gives LeNet-5 in this JVM's environment. */
public final class BackendMain {
    private BackendMain() {}

    public static void main(String[] args) {
        Backend.Choice auto = LeNet5Engine.choose(Backend.AUTO);
        System.out.println("auto: " + auto.engine().getClass().getSimpleName() + ": " + auto.reason());
        try {
            LeNet5Engine.create(Backend.GPU).close();
            System.out.println("gpu: opened");
        } catch (CudaUnavailableException e) {
            System.out.println("gpu: " + e.getMessage());
        }
    }
}
