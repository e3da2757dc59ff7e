package dev.strider.runtime.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file atomically: the new content goes to a temporary file in the target's directory, is forced to disk
 * and renamed over the target, so that a reader, or a crash at any moment, sees either the old file or the complete
 * new one, never a partial file.
 *
 * <p>A save that dies before its rename (a killed process, a power cut) leaves its temporary file behind, named
 * {@code .<target name>.<random base-36 token>}{@value #SUFFIX} next to the target. Loading never looks at such
 * files, and the next save of the same target deletes the abandoned ones, so they do not accumulate. A save holds an
 * exclusive lock on its temporary file from just after creating it until after the rename, and the operating system
 * drops the locks of a process that dies; so a temporary file that another save can lock belongs to no running save,
 * and that save deletes it while holding the lock. In the moment between creating its file and locking it, a save
 * could lose its file that way: it checks, once it holds the lock, that its file is still there, and if not starts
 * again with a new one. Saves of this JVM that are still running are recognised by name and never opened
 * (closing another channel on a file can drop this JVM's lock on it). Where the file system has no locks, nothing is
 * deleted.
 */
public final class AtomicFile {
    /** The ending of every temporary file. */
    static final String SUFFIX = ".strider-tmp";

    /** How many new temporary files a save tries before giving up, should cleaners keep deleting them (see above). */
    private static final int ATTEMPTS = 8;

    /** The temporary files this JVM is writing right now. */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private AtomicFile() {}

    /** Writes a file's new content into a channel positioned at its start. */
    @FunctionalInterface
    public interface Content {
        /** Writes everything; the caller forces it to disk. */
        void writeTo(FileChannel out) throws IOException;
    }

    /**
     * Deletes the abandoned temporary files of {@code file}, then writes {@code content} to a new temporary file and
     * renames it over {@code file}. If anything fails, {@code file} is left as it was and the temporary file is
     * deleted.
     */
    public static void replace(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        removeAbandoned(target);
        for (int attempt = 1; !writeAndMove(target, content); attempt++) {
            if (attempt == ATTEMPTS) {
                throw new IOException("could not save " + target + ": other processes deleted " + ATTEMPTS + " temporary files of"
                        + " this save as abandoned before it could lock them; " + target + " is unchanged");
            }
        }
        syncDirectory(target.getParent());
    }

    /**
     * Writes {@code content} to a new temporary file under its lock and renames it to {@code target}. Returns false,
     * having written nothing, if a cleaner in another process deleted the new file before this save locked it.
     * Deletes the temporary file if anything fails.
     */
    private static boolean writeAndMove(Path target, Content content) throws IOException {
        Path temp = target.resolveSibling(prefix(target) + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + SUFFIX);
        WRITING.add(temp);
        try {
            FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            boolean moved = false;
            try (out) {
                if (lock(out) && !Files.exists(temp)) {
                    return false;
                }
                content.writeTo(out);
                out.force(true);
                move(temp, target); // still holding the lock, so no cleaner can take the complete file for an abandoned one
                moved = true;
                return true;
            } finally {
                if (!moved) {
                    Files.deleteIfExists(temp);
                }
            }
        } finally {
            WRITING.remove(temp);
        }
    }

    /**
     * Deletes every temporary file of {@code target} that no running save holds: not written by this JVM, and
     * lockable. Best effort: a file it cannot open, lock or delete is left alone, and a directory it cannot list is
     * left for the save itself to report.
     */
    static void removeAbandoned(Path target) {
        Path absolute = target.toAbsolutePath();
        String prefix = prefix(absolute);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(absolute.getParent(), p -> isTemporary(p, prefix))) {
            for (Path temp : temps) {
                if (!WRITING.contains(temp)) {
                    removeIfAbandoned(temp);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // nothing to clean here; a directory that cannot be listed fails the save's own write
        }
    }

    private static void removeIfAbandoned(Path temp) {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
            if (lock != null) {
                Files.delete(temp); // while holding the lock, so that its save, if it has just created it, sees it gone
            }
        } catch (IOException | OverlappingFileLockException e) {
            // gone already, not ours to open, locked by another cleaner of this JVM, or no locks on this file system
        }
    }

    /** Whether {@code p} is named {@code <prefix><base-36 token>}{@value #SUFFIX}. */
    private static boolean isTemporary(Path p, String prefix) {
        String name = p.getFileName().toString();
        if (!name.startsWith(prefix) || !name.endsWith(SUFFIX) || name.length() == prefix.length() + SUFFIX.length()) {
            return false;
        }
        return name.substring(prefix.length(), name.length() - SUFFIX.length()).chars()
                .allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'z');
    }

    /** {@code .<target name>.}: hidden, and next to the target so that the rename stays within one file system. */
    private static String prefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    /**
     * Locks the new temporary file, waiting while a cleaner holds it. Returns false on a file system without locks,
     * where the save goes on (its file is still written and renamed atomically) and no cleaner deletes anything.
     */
    private static boolean lock(FileChannel out) {
        try {
            out.lock();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename durable where the platform allows opening a directory (Linux, macOS); elsewhere a no-op. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (Windows): the file itself is already forced to disk
        }
    }
}
