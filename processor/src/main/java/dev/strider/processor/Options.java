package dev.strider.processor;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The processor's {@code -A} options, all under the {@code strider.} namespace. */
public enum Options {
    /** {@code -Astrider.summary=true}: print each network's summary table as a compiler note. */
    SUMMARY("strider.summary"),
    /** {@code -Astrider.timing=true}: print the time spent checking and generating each network as a note. */
    TIMING("strider.timing");

    private final String key;

    Options(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public boolean isSet(Map<String, String> options) {
        String v = options.get(key);
        return v != null && (v.isEmpty() || Boolean.parseBoolean(v));
    }

    public static Set<String> keys() {
        return Arrays.stream(values()).map(Options::key).collect(Collectors.toUnmodifiableSet());
    }
}
