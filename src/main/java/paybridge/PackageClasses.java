package paybridge;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classes under a package (its sub-packages included) that implement a type, from every classpath
 * root that has the package: a directory (the build's classes, the tests') is walked; a jar is listed
 * from its central directory. Camel's package scan reads a jar front to back through a
 * {@code JarInputStream} instead, inflating every entry of the shaded jar to reach the few of one
 * package: about 0.6 s of start-up each time.
 */
public final class PackageClasses {
    private static final Logger LOG = LoggerFactory.getLogger(PackageClasses.class);

    private PackageClasses() {
    }

    public static Set<Class<?>> implementing(Class<?> type, String packageName, ClassLoader loader) {
        String path = packageName.replace('.', '/') + "/";
        Set<String> names = new LinkedHashSet<>();
        try {
            for (URL root : Collections.list(loader.getResources(path))) {
                names.addAll(classNames(root, path));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the classes under " + packageName, e);
        }
        Set<Class<?>> found = new LinkedHashSet<>();
        for (String name : names) {
            Class<?> candidate;
            try {
                candidate = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // said, so that an implementation missing a dependency is not silently absent
                LOG.warn("{} skipped: it cannot be loaded ({})", name, e.toString());
                continue;
            }
            if (type.isAssignableFrom(candidate)) {
                found.add(candidate);
            }
        }
        return found;
    }

    /** The top-level and nested class names under {@code path} at one root. */
    private static List<String> classNames(URL root, String path) throws IOException {
        if (root.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) root.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                return classNames(jar.stream().map(ZipEntry::getName), path);
            }
        }
        if (root.getProtocol().equals("file")) {
            Path directory;
            try {
                directory = Path.of(root.toURI());
            } catch (URISyntaxException e) {
                throw new IOException("Not a directory URL: " + root, e);
            }
            try (Stream<Path> files = Files.walk(directory)) {
                return classNames(files.filter(Files::isRegularFile)
                        .map(f -> path + directory.relativize(f).toString().replace(File.separatorChar, '/')), path);
            }
        }
        throw new IOException("Cannot list classes at " + root);
    }

    private static List<String> classNames(Stream<String> entries, String path) {
        return entries.filter(e -> e.startsWith(path) && e.endsWith(".class") && !e.endsWith("module-info.class"))
                .map(e -> e.substring(0, e.length() - ".class".length()).replace('/', '.'))
                .toList();
    }
}
