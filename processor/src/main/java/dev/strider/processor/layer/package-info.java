/**
 * One class per layer kind, each with the same contract ({@link dev.strider.processor.layer.Layer}): validate its
 * declared values, infer its output shape, count parameters and MACs, carry the receptive field. Geometry shared
 * by sliding-window layers lives in {@link dev.strider.processor.layer.SpatialFilter}.
 */
package dev.strider.processor.layer;
