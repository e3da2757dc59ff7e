package dev.strider.processor.layer;

import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.Shape;

/**
 * Max or average pooling over a window: no parameters, no MACs. Padding is at most half the window (a window
 * must overlap the input). Warns about windows over 3 and strides over the window.
 */
public final class Pool extends SpatialFilter {
    private final boolean max;
    private final boolean l2;
    private final boolean countPadding;

    public Pool(LayerDecl decl, Report report, boolean max) {
        this(decl, report, max, false);
    }

    /** {@code l2}: L2 pooling (the square root of the window's sum of squares). */
    public Pool(LayerDecl decl, Report report, boolean max, boolean l2) {
        super(decl, report, "window", false, true);
        this.max = max;
        this.l2 = l2;
        this.countPadding = max || l2 || decl.booleanValue("countPadding");
        if (padding != null && windowAndPaddingValid) {
            checkPadding(report, padding.h(), window.h());
            if (padding.w() != padding.h() || window.w() != window.h()) {
                checkPadding(report, padding.w(), window.w());
            }
        }
        if (window.h() > 3 || window.w() > 3) {
            report.add(Message.LARGE_POOL_WINDOW, decl.ref(), "window", label(), window.h() + "x" + window.w());
        }
        boolean rows = stride.h() > window.h();
        boolean columns = stride.w() > window.w();
        if (rows || columns) {
            int s = rows ? stride.h() : stride.w();
            int k = rows ? window.h() : window.w();
            String unit = rows && columns && stride.isSquare() && window.isSquare() ? "rows and columns"
                    : rows ? "rows" : "columns";
            report.add(Message.STRIDE_OVER_WINDOW, decl.ref(), "stride", label(), s, k, s - k, s,
                    unit + (s - k == 1 ? " is" : " are"));
        }
    }

    private void checkPadding(Report report, int p, int k) {
        if (p > k / 2) {
            report.add(Message.POOL_PADDING, decl().ref(), "padding", label(), p, k, k / 2);
        }
    }

    public boolean isMax() {
        return max;
    }

    public boolean isL2() {
        return l2;
    }

    /** Average pooling only: whether padded zeros count in the divisor. */
    public boolean countPadding() {
        return countPadding;
    }

    @Override
    protected boolean offersCeil() {
        return true;
    }

    @Override
    protected int maxPadding(int windowSize) {
        return windowSize / 2;
    }

    @Override
    public boolean endsNonlinear() {
        return max || l2;
    }

    @Override
    public String describe() {
        return geometryText() + (!max && !l2 && !countPadding ? ", padding not counted" : "");
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return spatialOutput(in, in.channels(), ctx);
    }
}
