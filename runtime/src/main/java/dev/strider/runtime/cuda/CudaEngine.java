package dev.strider.runtime.cuda;

import dev.strider.runtime.engine.EngineBase;
import dev.strider.runtime.engine.EngineSupport;
import dev.strider.runtime.engine.Init;
import dev.strider.runtime.engine.InitScheme;
import dev.strider.runtime.engine.Kernels;
import dev.strider.runtime.engine.NonFiniteException;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.optim.Adam;
import dev.strider.runtime.optim.Optimizer;
import dev.strider.runtime.optim.Sgd;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The base of every generated GPU engine: the same {@link Engine} contract, checks and messages as the Java engine
 * of the same network, with activations, parameters, gradients, running statistics and optimizer state resident on
 * a {@link Device}. The generated subclass declares the network's device buffers and launches its kernels in order
 * ({@link #launchForward}, {@link #launchLoss}, {@link #launchBackward}).
 *
 * <p>Host and device: a call copies its input (and labels or targets) to the device and its outputs back; nothing
 * else crosses during training. {@link #parameters()} and {@link #buffers()} return host copies: calling either
 * first copies the device's current values (and gradients) into them, and the next operation copies them back, so
 * reading or writing them (weights save and load, a host-side optimizer) works as on the Java engine, at the cost
 * of one transfer each way. Call them between steps, not inside a training loop.
 *
 * <p>Optimizers: {@link Sgd} and {@link Adam} run on the device with the same arithmetic (their settings and learning
 * rate are read at every step; their state lives on the device, so the optimizer object's own arrays stay unused).
 * Dropout masks are drawn on the host from the same stream as the Java engine and copied over.
 *
 * <p>{@link #close()} frees the device memory. Not thread-safe: one engine per thread at a time.
 */
public abstract class CudaEngine extends EngineBase {
    /** The first four buffers of every network, in the order the CUDA generator writes its table. */
    protected static final int INPUT = 0;
    protected static final int INPUT_GRAD = 1;
    /** Labels (ints) for softmax cross-entropy, targets for mean squared error. */
    protected static final int TARGET = 2;
    protected static final int LOSS_PER_IMAGE = 3;

    private final Device device;
    private final List<String> bufferNames = new ArrayList<>();
    private final List<Long> bufferLengths = new ArrayList<>();
    private final List<Boolean> bufferInts = new ArrayList<>();
    private DeviceBuffer[] memory;
    private int outputIndex = -1;
    private int outputGradIndex = -1;

    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Parameter> parametersView = Collections.unmodifiableList(parameters);
    private final List<int[]> parameterIndex = new ArrayList<>();
    private final List<Init> parameterInit = new ArrayList<>();
    private final List<int[]> parameterFans = new ArrayList<>();
    private final List<Parameter> stateBuffers = new ArrayList<>();
    private final List<Parameter> stateBuffersView = Collections.unmodifiableList(stateBuffers);
    private final List<Integer> stateIndex = new ArrayList<>();
    private final List<Init> stateInit = new ArrayList<>();
    private final List<String> layerNames = new ArrayList<>();
    private final List<int[]> layerIndex = new ArrayList<>();
    private final List<Integer> layerSizes = new ArrayList<>();
    /** Each registered layer's index in the backward plan. */
    private final List<Integer> layerSteps = new ArrayList<>();
    private final List<Dropout> dropouts = new ArrayList<>();

    private record Dropout(int mask, int size, float keep, float scale, float[] host) {}

    private final float[] outputHost;
    private final float[] gradHost;
    private final float[] probabilityHost;
    private final float[] lossHost;
    private final int[] flagHost = new int[1];
    private DeviceBuffer flag;
    private DeviceBuffer[] stateBackup;
    private int forwardBatch;
    /** The device holds values (parameters, gradients, running statistics) newer than the host copies. */
    private boolean deviceNewer;
    /** The host copies may have been changed: copy them to the device before the next operation. */
    private boolean hostChanged;
    private boolean closed;

    /** The optimizer whose state {@link #moments} holds, and that state: per parameter, SGD's momentum or Adam's m and v. */
    private Optimizer stateOwner;
    private DeviceBuffer[][] moments;
    private int[] optimizerSteps;

    protected CudaEngine(Device device, String name, int inputSize, int outputSize, int maxBatch, boolean crossEntropy, boolean softmaxOutput) {
        super(name, inputSize, outputSize, maxBatch, crossEntropy, softmaxOutput);
        this.device = device;
        this.outputHost = new float[maxBatch * outputSize];
        this.gradHost = new float[maxBatch * outputSize];
        this.probabilityHost = new float[maxBatch * outputSize];
        this.lossHost = new float[maxBatch];
    }

    // ---- what the generated subclass declares and does

    /** Declares the next device buffer of the table ({@code length} values at the largest batch); returns its index. */
    protected final int buffer(String name, long length, boolean isInt) {
        bufferNames.add(name);
        bufferLengths.add(length);
        bufferInts.add(isInt);
        return bufferNames.size() - 1;
    }

    /** The buffers holding the network's output (logits when a trailing softmax is fused into the loss) and its gradient. */
    protected final void output(int output, int outputGrad) {
        this.outputIndex = output;
        this.outputGradIndex = outputGrad;
    }

    /** A trainable parameter in buffer {@code data} with its gradient in {@code grad}, in layer order. */
    protected final void addParameter(String name, int[] shape, int data, int grad, Init init, int fanIn, int fanOut) {
        parameters.add(new Parameter(name, shape, new float[(int) (long) bufferLengths.get(data)], new float[(int) (long) bufferLengths.get(grad)]));
        parameterIndex.add(new int[] {data, grad});
        ownParameter();
        parameterInit.add(init);
        parameterFans.add(new int[] {fanIn, fanOut});
    }

    /** Non-trainable state (batch-norm running statistics) in buffer {@code data}. */
    protected final void addBuffer(String name, int[] shape, int data, Init init) {
        stateBuffers.add(new Parameter(name, shape, new float[(int) (long) bufferLengths.get(data)], null));
        stateIndex.add(data);
        stateInit.add(init);
    }

    /** A layer's output and output-gradient buffers ({@code size} values per image), in forward order, for failure reports. */
    protected final void addLayer(String layer, int output, int outputGrad, int size) {
        layerNames.add(layer);
        layerIndex.add(new int[] {output, outputGrad});
        layerSizes.add(size);
        layerSteps.add(lastStep());
    }

    /** A dropout layer's mask buffer: in training mode the host draws {@code size} values per image before each forward pass. */
    protected final void addDropout(int mask, int size, float keep, float scale) {
        dropouts.add(new Dropout(mask, size, keep, scale, new float[maxBatch * size]));
    }

    /**
     * Loads the kernels and allocates every buffer (zeroed, as the host copies are); the generated constructor's last
     * call. On failure the device is closed and the exception says why.
     */
    protected final void start(ModuleSource module) {
        if (bufferNames.size() < 4 || outputIndex < 0) {
            throw new IllegalStateException(name + ": the generated engine declared no buffer table");
        }
        try {
            device.bind();
            device.load(module);
            memory = new DeviceBuffer[bufferNames.size()];
            for (int i = 0; i < memory.length; i++) {
                memory[i] = device.allocate(name + "." + bufferNames.get(i), bufferLengths.get(i) * 4);
            }
            flag = device.allocate(name + ".nonFiniteFlag", 4);
            if (!stateBuffers.isEmpty()) {
                stateBackup = new DeviceBuffer[stateBuffers.size()];
                for (int i = 0; i < stateBackup.length; i++) {
                    stateBackup[i] = device.allocate(name + "." + stateBuffers.get(i).name() + ".backup", stateBuffers.get(i).size() * 4L);
                }
            }
        } catch (RuntimeException e) {
            closed = true;
            try {
                device.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The device buffer at {@code index} of the table. */
    protected final DeviceBuffer buf(int index) {
        return memory[index];
    }

    /** Launches {@code kernel} over {@code total} outputs with {@code args} (see {@link Device#launch}). */
    protected final void launch(String kernel, long total, Object... args) {
        device.launch(kernel, total, args);
    }

    /** Launches the cooperative {@code kernel} on exactly this grid (see {@link Device#launchBlocks}). */
    protected final void launchBlocks(String kernel, int gridX, int gridY, int gridZ, Object... args) {
        device.launchBlocks(kernel, gridX, gridY, gridZ, args);
    }

    /** Every layer's forward kernels, in order; {@code training} is 1 in training mode. */
    protected abstract void launchForward(int batch, int training);

    /** The loss kernel: per-image losses and d loss / d output from the output and the labels or targets. */
    protected abstract void launchLoss(int batch);

    /** Every layer's backward kernels, last layer first; the input gradient only when {@code wantInputGrad}. */
    protected abstract void launchBackward(int batch, int training, boolean wantInputGrad);

    // ---- Engine

    /** The device this engine runs on, in one line. */
    public final String device() {
        return device.description();
    }

    @Override
    public void initialize(long seed) {
        initialize(seed, InitScheme.HE_XAVIER);
    }

    /** As the Java engine's {@code initialize(seed, scheme)}: the same values for the same seed. */
    public void initialize(long seed, InitScheme scheme) {
        live();
        EngineSupport.initialize(seed, scheme, parameters, parameterInit, parameterFans, stateBuffers, stateInit);
        rng.seed(EngineSupport.dropoutSeed(seed));
        forwardBatch = 0;
        deviceNewer = false;
        hostChanged = true;
    }

    /** Makes the device current and copies changed host values over: the start of every operation. */
    private void enter() {
        live();
        device.bind();
        if (hostChanged) {
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                device.upload(memory[parameterIndex.get(i)[0]], p.data(), p.size());
                device.upload(memory[parameterIndex.get(i)[1]], p.grad(), p.size());
            }
            for (int i = 0; i < stateBuffers.size(); i++) {
                device.upload(memory[stateIndex.get(i)], stateBuffers.get(i).data(), stateBuffers.get(i).size());
            }
            hostChanged = false;
        }
    }

    /** Copies the device's parameters, gradients and running statistics into the host copies when they are newer. */
    private void pull() {
        live();
        if (deviceNewer) {
            device.bind();
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                device.download(memory[parameterIndex.get(i)[0]], p.data(), p.size());
                device.download(memory[parameterIndex.get(i)[1]], p.grad(), p.size());
            }
            for (int i = 0; i < stateBuffers.size(); i++) {
                device.download(memory[stateIndex.get(i)], stateBuffers.get(i).data(), stateBuffers.get(i).size());
            }
            deviceNewer = false;
        }
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException(name + " (GPU engine) is closed");
        }
    }

    /** Sets parameter {@code p}'s gradient on the device to zero (when the backward plan stops computing it). */
    private final java.util.function.IntConsumer zeroGrad = this::zeroGradient;

    private void zeroGradient(int p) {
        int size = parameters.get(p).size();
        device.upload(memory[parameterIndex.get(p)[1]], new float[size], size);
    }

    /** The backward pass (after the loss when {@code withLoss}) as one recorded sequence per batch size and mode. */
    private void replayBackward(int batch, boolean wantInputGrad, boolean withLoss) {
        int mode = training ? 1 : 0;
        // the frozen flags decide which kernels run: one recorded sequence per decision
        String plan = planBackward(parameters, wantInputGrad, zeroGrad);
        device.replay((withLoss ? "loss and backward" : "backward") + " batch " + batch + " training " + mode + " input gradient " + wantInputGrad
                        + " plan " + plan,
                () -> {
                    if (withLoss) {
                        launchLoss(batch);
                    }
                    launchBackward(batch, mode, wantInputGrad);
                });
    }

    private void runForward(int batch) {
        if (training) {
            for (Dropout d : dropouts) {
                EngineSupport.dropoutMask(rng, d.host(), batch * d.size(), d.keep(), d.scale());
                device.upload(memory[d.mask()], d.host(), batch * d.size());
            }
            deviceNewer |= !stateBuffers.isEmpty();
        }
        int mode = training ? 1 : 0;
        device.replay("forward batch " + batch + " training " + mode, () -> launchForward(batch, mode));
    }

    @Override
    public final void forward(float[] input, int batch, float[] output) {
        checkBatch("forward", batch);
        checkInput("forward", input, batch);
        EngineSupport.checkLength(name, "forward", "output", output, batch * outputSize);
        enter();
        device.upload(memory[INPUT], input, batch * inputSize);
        runForward(batch);
        forwardBatch = batch;
        device.download(memory[outputIndex], outputHost, batch * outputSize);
        if (softmaxOutput) {
            for (int b = 0; b < batch; b++) {
                Kernels.softmax(outputHost, output, b * outputSize, outputSize, 1);
            }
        } else {
            System.arraycopy(outputHost, 0, output, 0, batch * outputSize);
        }
    }

    @Override
    public final void lastOutput(float[] output, int batch) {
        if (forwardBatch == 0 || batch > forwardBatch) {
            throw new IllegalStateException(name + ".lastOutput(batch = " + batch + "): the last forward pass had batch " + forwardBatch);
        }
        EngineSupport.checkLength(name, "lastOutput", "output", output, batch * outputSize);
        enter();
        device.download(memory[outputIndex], output, batch * outputSize);
    }

    @Override
    public final void backward(float[] outputGrad, int batch, float[] inputGrad) {
        requireTrainable("backward");
        checkBatch("backward", batch);
        EngineSupport.checkLength(name, "backward", "outputGrad", outputGrad, batch * outputSize);
        if (inputGrad != null) {
            EngineSupport.checkLength(name, "backward", "inputGrad", inputGrad, batch * inputSize);
        }
        if (forwardBatch == 0) {
            throw new IllegalStateException(name + ".backward: no forward pass to go back through; call forward first");
        }
        if (forwardBatch != batch) {
            throw new IllegalStateException(name + ".backward(batch = " + batch + ") must follow a forward pass of the same batch, but the last forward had batch " + forwardBatch);
        }
        enter();
        if (softmaxOutput) {
            // the caller's gradient is with respect to the probabilities; the device holds logits
            device.download(memory[outputIndex], outputHost, batch * outputSize);
            for (int b = 0; b < batch; b++) {
                int off = b * outputSize;
                Kernels.softmax(outputHost, probabilityHost, off, outputSize, 1);
                Kernels.softmaxBackward(probabilityHost, outputGrad, gradHost, off, outputSize, 1);
            }
            device.upload(memory[outputGradIndex], gradHost, batch * outputSize);
        } else {
            device.upload(memory[outputGradIndex], outputGrad, batch * outputSize);
        }
        replayBackward(batch, inputGrad != null, false);
        deviceNewer = true;
        if (inputGrad != null) {
            device.download(memory[INPUT_GRAD], inputGrad, batch * inputSize);
        }
    }

    @Override
    public final float gradients(float[] input, int[] labels, int batch, float[] inputGrad) {
        requireTrainable("gradients");
        if (!crossEntropy) {
            throw new IllegalStateException(name + " is trained with mean squared error: pass targets (float[]), not class labels");
        }
        checkBatch("gradients", batch);
        checkInput("gradients", input, batch);
        EngineSupport.checkLabels(name, labels, batch, outputSize);
        if (inputGrad != null) {
            EngineSupport.checkLength(name, "gradients", "inputGrad", inputGrad, batch * inputSize);
        }
        enter();
        device.upload(memory[TARGET], labels, batch);
        return forwardLossBackward(input, batch, inputGrad, batch);
    }

    @Override
    public final float gradients(float[] input, float[] targets, int batch, float[] inputGrad) {
        requireTrainable("gradients");
        if (crossEntropy) {
            throw new IllegalStateException(name + " is trained with softmax cross-entropy: pass class labels (int[]), not targets");
        }
        checkBatch("gradients", batch);
        checkInput("gradients", input, batch);
        EngineSupport.checkLength(name, "gradients", "targets", targets, batch * outputSize);
        if (inputGrad != null) {
            EngineSupport.checkLength(name, "gradients", "inputGrad", inputGrad, batch * inputSize);
        }
        enter();
        device.upload(memory[TARGET], targets, batch * outputSize);
        return forwardLossBackward(input, batch, inputGrad, batch * outputSize);
    }

    /** After the checks and the labels' upload: forward, loss, backward; the mean of the per-image losses over {@code count}. */
    private float forwardLossBackward(float[] input, int batch, float[] inputGrad, int count) {
        device.upload(memory[INPUT], input, batch * inputSize);
        runForward(batch);
        forwardBatch = batch;
        replayBackward(batch, inputGrad != null, true);
        deviceNewer = true;
        device.download(memory[LOSS_PER_IMAGE], lossHost, batch);
        if (inputGrad != null) {
            device.download(memory[INPUT_GRAD], inputGrad, batch * inputSize);
        }
        double total = 0;
        for (int n = 0; n < batch; n++) {
            total += lossHost[n];
        }
        return (float) (total / count);
    }

    /** Checks the batch first, so that nothing is copied for a call that fails; then backs the running statistics up on the device. */
    @Override
    protected final void backupState(int batch) {
        checkBatch("gradients", batch);
        enter();
        for (int i = 0; i < stateBuffers.size(); i++) {
            device.copy(stateBackup[i], memory[stateIndex.get(i)], stateBuffers.get(i).size() * 4L);
        }
    }

    @Override
    protected final void restoreState() {
        for (int i = 0; i < stateBuffers.size(); i++) {
            device.copy(memory[stateIndex.get(i)], stateBackup[i], stateBuffers.get(i).size() * 4L);
        }
    }

    @Override
    protected final String firstNonFiniteGradient() {
        return firstNonFinite(true);
    }

    @Override
    protected final String firstNonFiniteParameter() {
        return firstNonFinite(false);
    }

    /**
     * The first parameter (in layer order) whose gradient ({@code grads}) or value holds a NaN or infinity, named as
     * the Java engine names it, or null. One flag on the device, one download; the search only on failure.
     */
    private String firstNonFinite(boolean grads) {
        flagHost[0] = 0;
        device.upload(flag, flagHost, 1);
        for (int i = 0; i < parameters.size(); i++) {
            device.launch("strider_nonfinite", parameters.get(i).size(), parameters.get(i).size(), memory[parameterIndex.get(i)[grads ? 1 : 0]], flag);
        }
        device.download(flag, flagHost, 1);
        if (flagHost[0] == 0) {
            return null;
        }
        for (int i = 0; i < parameters.size(); i++) {
            float[] values = new float[parameters.get(i).size()];
            device.download(memory[parameterIndex.get(i)[grads ? 1 : 0]], values, values.length);
            if (EngineSupport.firstNonFinite(values, values.length) >= 0) {
                return grads ? "the gradient of " + parameters.get(i).name() : parameters.get(i).name();
            }
        }
        return grads ? "a gradient" : "a parameter";
    }

    @Override
    protected final NonFiniteException nonFinite(float[] input, int batch, float loss, String bad) {
        List<float[]> outputs = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
            int n = batch * layerSizes.get(i);
            float[] out = new float[n];
            float[] grad = new float[n];
            device.download(memory[layerIndex.get(i)[0]], out, n);
            device.download(memory[layerIndex.get(i)[1]], grad, n);
            outputs.add(out);
            // a layer whose backward did not run holds an older gradient: leave it out of the search
            grads.add(gradientComputed(layerSteps.get(i)) ? grad : null);
        }
        return EngineSupport.nonFinite(name, trainingSteps, input, inputSize, batch, loss, bad, layerNames, outputs, grads, layerSizes);
    }

    /** Checks that {@code optimizer} is one the device runs (its state lives on the device, so nothing is bound). */
    @Override
    protected final void prepareOptimizer(Optimizer optimizer) {
        if (!(optimizer instanceof Sgd) && !(optimizer instanceof Adam)) {
            throw new IllegalStateException(name + ".trainStep: the GPU engine runs Sgd and Adam on the device; "
                    + optimizer.getClass().getName() + " is neither (use the Java engine, or gradients() and your optimizer on parameters())");
        }
    }

    /** One update of every trainable, unfrozen parameter on the device, as {@link Sgd#step} and {@link Adam#step} compute it. */
    @Override
    protected final void applyUpdate(Optimizer o) {
        if (stateOwner != o) {
            freeMoments();
            stateOwner = null;
            int perParameter = o instanceof Adam ? 2 : ((Sgd) o).momentum() != 0 ? 1 : 0;
            DeviceBuffer[][] fresh = new DeviceBuffer[parameters.size()][perParameter];
            try {
                for (int i = 0; i < parameters.size(); i++) {
                    for (int k = 0; k < perParameter; k++) {
                        fresh[i][k] = device.allocate(name + "." + parameters.get(i).name() + ".moment" + k, parameters.get(i).size() * 4L);
                    }
                }
            } catch (RuntimeException e) {
                free(fresh);   // nothing kept: the next step tries again
                throw e;
            }
            moments = fresh;
            optimizerSteps = new int[parameters.size()];
            stateOwner = o;
        }
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (p.frozen()) {
                continue;
            }
            DeviceBuffer w = memory[parameterIndex.get(i)[0]];
            DeviceBuffer g = memory[parameterIndex.get(i)[1]];
            int t = ++optimizerSteps[i];
            if (o instanceof Adam adam) {
                double correction1 = 1 - Math.pow(adam.beta1(), t);
                double correction2Sqrt = Math.sqrt(1 - Math.pow(adam.beta2(), t));
                float stepSize = (float) ((double) adam.learningRate() * p.learningRateScale() / correction1);
                device.launch("strider_adam", p.size(), p.size(), w, g, moments[i][0], moments[i][1], stepSize, (float) correction2Sqrt,
                        (float) adam.beta1(), (float) adam.beta2(), (float) (1 - adam.beta1()), (float) (1 - adam.beta2()),
                        (float) adam.eps(), adam.weightDecay());
            } else {
                Sgd sgd = (Sgd) o;
                float rate = sgd.learningRate() * p.learningRateScale();
                device.launch("strider_sgd", p.size(), p.size(), w, g, sgd.momentum() != 0 ? moments[i][0] : null, t == 1 ? 1 : 0, rate,
                        sgd.momentum(), sgd.weightDecay(), sgd.nesterov() ? 1 : 0);
            }
        }
        deviceNewer = true;
    }

    private void freeMoments() {
        if (moments != null) {
            free(moments);
            moments = null;
        }
    }

    private void free(DeviceBuffer[][] buffers) {
        for (DeviceBuffer[] m : buffers) {
            for (DeviceBuffer b : m) {
                if (b != null) {
                    device.free(b);
                }
            }
        }
    }

    /** Host copies of the parameters, brought up to date from the device; changes to them reach the device at the next operation. */
    @Override
    public final List<Parameter> parameters() {
        pull();
        hostChanged = true;
        return parametersView;
    }

    /** Host copies of the running statistics, as {@link #parameters()}. */
    @Override
    public final List<Parameter> buffers() {
        pull();
        hostChanged = true;
        return stateBuffersView;
    }

    /** Frees the device memory; the engine cannot be used afterwards. Closing again does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.close();
        }
    }

    @Override
    public String toString() {
        return name + " on " + device.description();
    }
}
