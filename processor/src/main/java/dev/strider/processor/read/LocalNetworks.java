package dev.strider.processor.read;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import dev.strider.processor.diag.Message;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic.Kind;

/**
 * Annotation processors never see classes declared inside methods, so a {@code @Network} there would silently do
 * nothing. On javac (the {@code com.sun.source} tree API) this scans the method bodies of the compilation's types and
 * reports such classes; on other compilers it does nothing.
 */
public final class LocalNetworks {
    /** The compilations already scanned: both processors may ask, in either order, and the first one scans. */
    private static final java.util.Map<ProcessingEnvironment, Boolean> SCANNED =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private LocalNetworks() {}

    /**
     * {@link #report} once per compilation. javac calls a processor of every annotation ({@code *}) only for the
     * annotations no other processor claimed, so {@code StriderProcessor} (which claims the DSL's) scans too.
     */
    public static void reportOnce(ProcessingEnvironment env, Set<? extends Element> roots) {
        if (SCANNED.putIfAbsent(env, Boolean.TRUE) == null) {
            report(env, roots);
        }
    }

    public static void report(ProcessingEnvironment env, Set<? extends Element> roots) {
        Trees trees;
        try {
            trees = Trees.instance(env);
        } catch (IllegalArgumentException | LinkageError notJavac) {
            return;
        }
        for (Element root : roots) {
            if (!(root instanceof TypeElement)) {
                continue;
            }
            TreePath path = trees.getPath(root);
            if (path == null) {
                continue;
            }
            CompilationUnitTree unit = path.getCompilationUnit();
            new TreePathScanner<Void, Integer>() {
                // classes declared in a method, an initializer block, a lambda or an anonymous class are invisible to
                // annotation processors: everything below one of these is "local"
                @Override
                public Void visitMethod(MethodTree method, Integer depth) {
                    return super.visitMethod(method, depth + 1);
                }

                @Override
                public Void visitBlock(BlockTree block, Integer depth) {
                    return super.visitBlock(block, depth + 1);
                }

                @Override
                public Void visitLambdaExpression(LambdaExpressionTree lambda, Integer depth) {
                    return super.visitLambdaExpression(lambda, depth + 1);
                }

                @Override
                public Void visitNewClass(NewClassTree anonymous, Integer depth) {
                    return super.visitNewClass(anonymous, depth + 1);
                }

                @Override
                public Void visitClass(ClassTree type, Integer depth) {
                    if (depth > 0) {
                        for (AnnotationTree a : type.getModifiers().getAnnotations()) {
                            String name = a.getAnnotationType().toString();
                            if (name.equals("Network") || name.equals(DslNames.NETWORK)) {
                                trees.printMessage(Kind.ERROR, Message.LOCAL_NETWORK.format(type.getSimpleName()), a, unit);
                            }
                        }
                    }
                    return super.visitClass(type, depth);
                }
            }.scan(path, 0);
        }
    }
}
