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
    TIMING("strider.timing"),
    /**
     * {@code -Astrider.maxEngineMemory=4g}: the most an engine may allocate (bytes, or with a {@code k}, {@code m}
     * or {@code g} suffix, powers of 1024); a network over it is a compile error. Default {@value #DEFAULT_MAX_ENGINE_MEMORY}.
     */
    MAX_ENGINE_MEMORY("strider.maxEngineMemory"),
    /**
     * {@code -Astrider.nvcc=auto|off|<path>}: compile each network's CUDA source to PTX at build time and package it
     * as {@code META-INF/strider/<fqn>.ptx}. {@code auto} uses {@code nvcc} from the {@code PATH} when there is one
     * and skips silently when not; a path must work. Default {@code off}.
     */
    NVCC("strider.nvcc");

    /** The engine memory limit when {@code strider.maxEngineMemory} is not given. */
    public static final String DEFAULT_MAX_ENGINE_MEMORY = "4g";

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

    /**
     * The value of a size option ({@code 1048576}, {@code 512k}, {@code 64m}, {@code 4g}) in bytes, the default when
     * absent, or -1 when the value is not a size.
     */
    public long bytes(Map<String, String> options, String fallback) {
        String raw = options.get(key);
        String v = (raw == null ? fallback : raw).trim().toLowerCase(java.util.Locale.ROOT);
        int shift = v.endsWith("k") ? 10 : v.endsWith("m") ? 20 : v.endsWith("g") ? 30 : 0;
        String digits = shift == 0 ? v : v.substring(0, v.length() - 1);
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        long n = Long.parseLong(digits);
        return n > 0 && n <= Long.MAX_VALUE >> shift ? n << shift : -1;
    }

    public static Set<String> keys() {
        return Arrays.stream(values()).map(Options::key).collect(Collectors.toUnmodifiableSet());
    }
}
