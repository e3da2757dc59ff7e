package dev.strider.processor.layer;

import dev.strider.dsl.Activation;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;

/**
 * The registry of layer kinds: the DSL annotation's simple name to the class that implements its rules. Every kind
 * the read phase knows ({@code DslNames.LAYER_KINDS}) has a case here; a test keeps the two in step.
 */
public final class Layers {
    private Layers() {}

    /** Creates the layer for {@code decl}, reporting invalid values into {@code report}. */
    public static Layer create(LayerDecl decl, Report report) {
        return switch (decl.kind()) {
            case "Conv" -> new Conv(decl, report);
            case "MaxPool" -> new Pool(decl, report, true);
            case "AvgPool" -> new Pool(decl, report, false);
            case "L2Pool" -> new Pool(decl, report, false, true);
            case "GlobalAvgPool" -> new GlobalAvgPool(decl);
            case "Dense" -> new Dense(decl, report);
            case "Flatten" -> new Flatten(decl);
            case "Dropout" -> new Dropout(decl, report);
            case "BatchNorm" -> new BatchNorm(decl, report);
            case "ReLU" -> new ActivationLayer(decl, report, Activation.RELU);
            case "LeakyReLU" -> new ActivationLayer(decl, report, Activation.LEAKY_RELU);
            case "Sigmoid" -> new ActivationLayer(decl, report, Activation.SIGMOID);
            case "Tanh" -> new ActivationLayer(decl, report, Activation.TANH);
            case "Softmax" -> new ActivationLayer(decl, report, Activation.SOFTMAX);
            case "ReLU6" -> new ActivationLayer(decl, report, Activation.RELU6);
            case "Identity" -> new Identity(decl);
            case "LRN" -> new Lrn(decl, report);
            case "ConvTranspose" -> new ConvTranspose(decl, report);
            case "Upsample" -> new Resample(decl, report, Resample.Kind.UPSAMPLE);
            case "AdaptiveAvgPool" -> new Resample(decl, report, Resample.Kind.ADAPTIVE_AVG_POOL);
            case "ChannelShuffle" -> new Resample(decl, report, Resample.Kind.CHANNEL_SHUFFLE);
            case "Add" -> new Merge(decl, report, true);
            case "Concat" -> new Merge(decl, report, false);
            default -> throw new IllegalArgumentException("unknown layer kind " + decl.kind());
        };
    }
}
