package dev.strider.runtime.train;

/** Accuracy and mean softmax cross-entropy of a classifier over a dataset. */
public record Evaluation(int images, int correct, double loss) {
    public double accuracy() {
        return images == 0 ? 0 : (double) correct / images;
    }
}
