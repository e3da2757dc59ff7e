package dev.strider.processor.model;

/**
 * Receptive field of one output value in input pixels ({@code size}) and the distance in input pixels between
 * two neighbouring outputs ({@code jump}), per dimension. For a layer with window {@code k} (dilated), stride
 * {@code s}: {@code size' = size + (k - 1) * jump}, {@code jump' = jump * s}.
 */
public record ReceptiveField(long sizeH, long sizeW, long jumpH, long jumpW) {
    public static final ReceptiveField INPUT = new ReceptiveField(1, 1, 1, 1);

    /** The receptive field after a window of {@code kh x kw} input positions moved by {@code sh x sw}. */
    public ReceptiveField through(long kh, long kw, long sh, long sw) {
        return new ReceptiveField(Sizes.add(sizeH, Sizes.mul(kh - 1, jumpH)), Sizes.add(sizeW, Sizes.mul(kw - 1, jumpW)),
                Sizes.mul(jumpH, sh), Sizes.mul(jumpW, sw));
    }

    @Override
    public String toString() {
        String size = sizeH == sizeW ? Long.toString(sizeH) : sizeH + "x" + sizeW;
        String jump = jumpH == jumpW ? Long.toString(jumpH) : jumpH + "x" + jumpW;
        return size + "/" + jump;
    }
}
