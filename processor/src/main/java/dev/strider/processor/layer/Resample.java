package dev.strider.processor.layer;

import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.Hw;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import dev.strider.processor.model.Sizes;

/**
 * The parameter-free layers that move values between positions or channels: {@code Upsample} (nearest or bilinear,
 * a whole factor), {@code AdaptiveAvgPool} (to a fixed size) and {@code ChannelShuffle}.
 */
public final class Resample extends Layer {
    /** Which of the three. */
    public enum Kind {
        UPSAMPLE,
        ADAPTIVE_AVG_POOL,
        CHANNEL_SHUFFLE
    }

    private final Kind kind;
    private final Hw size;
    private final boolean bilinear;
    private final int groups;

    public Resample(LayerDecl decl, Report report, Kind kind) {
        super(decl);
        this.kind = kind;
        Values v = new Values(decl, report, label());
        this.size = switch (kind) {
            case UPSAMPLE -> v.pair("scale", 1, Limits.MAX_WINDOW, null);
            case ADAPTIVE_AVG_POOL -> v.pair("size", 1, Limits.MAX_WINDOW, null);
            case CHANNEL_SHUFFLE -> Hw.square(1);
        };
        this.bilinear = kind == Kind.UPSAMPLE && "BILINEAR".equals(decl.enumValue("mode"));
        this.groups = kind == Kind.CHANNEL_SHUFFLE ? v.integer("groups", 1, Limits.MAX_UNITS) : 1;
    }

    public Kind kind() {
        return kind;
    }

    /** The scale (upsampling) or the output size (adaptive pooling). */
    public Hw size() {
        return size;
    }

    public boolean bilinear() {
        return bilinear;
    }

    public int groups() {
        return groups;
    }

    @Override
    public String describe() {
        return switch (kind) {
            case UPSAMPLE -> (bilinear ? "bilinear" : "nearest") + ", scale " + (size.h() == size.w() ? size.h() : size.h() + "x" + size.w());
            case ADAPTIVE_AVG_POOL -> "to " + size.h() + "x" + size.w();
            case CHANNEL_SHUFFLE -> groups + " groups";
        };
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        if (in.flat()) {
            return ctx.needsSpatial(this, in);
        }
        return switch (kind) {
            case UPSAMPLE -> Shape.chw(in.channels(), Sizes.mul(in.height(), size.h()), Sizes.mul(in.width(), size.w()));
            case ADAPTIVE_AVG_POOL -> Shape.chw(in.channels(), size.h(), size.w());
            case CHANNEL_SHUFFLE -> {
                if (in.channels() % groups != 0) {
                    ctx.report().add(Message.INVALID_VALUE, ref(), "groups", label() + ":", "groups = " + groups + " must divide the "
                            + in.channels() + " input channels");
                }
                yield in;
            }
        };
    }

    @Override
    public boolean endsNonlinear() {
        return false;
    }

    @Override
    public ReceptiveField receptiveField(ReceptiveField in, Shape inShape, Shape outShape) {
        return switch (kind) {
            // an upsampled value comes from 1 input (nearest) or 2 per dimension (bilinear), a 1/scale jump apart
            case UPSAMPLE -> new ReceptiveField(Sizes.add(in.sizeH(), bilinear ? in.jumpH() : 0), Sizes.add(in.sizeW(), bilinear ? in.jumpW() : 0),
                    Math.max(1, in.jumpH() / size.h()), Math.max(1, in.jumpW() / size.w()));
            // the largest bin: ceil(I / O) + 1 rows when bins overlap, else I / O
            case ADAPTIVE_AVG_POOL -> {
                long bh = (inShape.height() + size.h() - 1) / size.h() + (inShape.height() % size.h() == 0 ? 0 : 1);
                long bw = (inShape.width() + size.w() - 1) / size.w() + (inShape.width() % size.w() == 0 ? 0 : 1);
                yield in.through(Math.min(bh, inShape.height()), Math.min(bw, inShape.width()), Math.max(1, inShape.height() / size.h()),
                        Math.max(1, inShape.width() / size.w()));
            }
            case CHANNEL_SHUFFLE -> in;
        };
    }
}
