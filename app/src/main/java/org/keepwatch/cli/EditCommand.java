package org.keepwatch.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigEditException;
import org.keepwatch.config.ConfigEditor;
import org.keepwatch.config.ConfigParser;

/**
 * keepwatch edit FILE --set 'vrrp_instance VI_1 priority 120' ... [--in-place]: applies typed edits in the
 * order given and prints the main file, or writes every changed file atomically.
 */
final class EditCommand implements Command {
    private static final Set<String> EDITS = Set.of("--set", "--add", "--remove", "--rename", "--copy");

    @Override
    public String synopsis() {
        return "FILE (--set PATH VALUE... | --add PATH ENTRY | --remove PATH | --rename 'BLOCK NAME NEW' | --copy 'BLOCK NAME NEW')... [--in-place]";
    }

    @Override
    public String summary() {
        return "apply typed edits keeping every untouched line byte-identical";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) throw new UsageException("no FILE given");
        String file = null;
        boolean inPlace = false;
        ConfigDocument doc = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--in-place")) {
                inPlace = true;
            } else if (EDITS.contains(arg)) {
                if (i + 1 >= args.size()) throw new UsageException(arg + " needs a value");
                if (doc == null) throw new UsageException("FILE must come before the edits");
                try {
                    doc = apply(doc, arg, args.get(++i));
                } catch (ConfigEditException e) {
                    err.println(file + ": " + arg + " '" + args.get(i) + "': " + e.getMessage());
                    return 2;
                }
            } else if (arg.startsWith("-")) {
                throw new UsageException("unknown option " + arg);
            } else if (file == null) {
                file = arg;
                doc = new ConfigParser().load(file);
                if (doc.files().isEmpty()) {
                    err.println(file + ": cannot read");
                    return 2;
                }
            } else {
                throw new UsageException("one FILE only");
            }
        }
        if (doc == null) throw new UsageException("no FILE given");
        Map<String, byte[]> rendered = doc.render();
        if (!inPlace) {
            out.write(rendered.get(doc.mainPath()), 0, rendered.get(doc.mainPath()).length);
            out.flush();
            return 0;
        }
        ConfigDocument original = new ConfigParser().load(file);
        for (String path : doc.changedFiles(original)) {
            try {
                writeAtomically(Path.of(path), rendered.get(path));
            } catch (IOException e) {
                err.println(path + ": cannot write: " + e.getMessage());
                return 2;
            }
            err.println("wrote " + path);
        }
        return 0;
    }

    private static ConfigDocument apply(ConfigDocument doc, String edit, String value) {
        return switch (edit) {
            case "--set" -> ConfigEditor.set(doc, value);
            case "--add" -> ConfigEditor.add(doc, value);
            case "--remove" -> ConfigEditor.remove(doc, value);
            case "--rename", "--copy" -> {
                int cut = value.strip().lastIndexOf(' ');
                if (cut < 0) throw new ConfigEditException("give the block path and the new name");
                String block = value.strip().substring(0, cut);
                String name = value.strip().substring(cut + 1);
                yield edit.equals("--rename") ? ConfigEditor.rename(doc, block, name) : ConfigEditor.copyBlock(doc, block, name);
            }
            default -> throw new UsageException("unknown edit " + edit);
        };
    }

    /** Temporary file in the same directory, fsync, rename over the original: readers never see half a file. */
    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (var channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            try {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
            } catch (UnsupportedOperationException | IOException ignored) {
                // permissions are best effort on file systems without POSIX attributes
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
