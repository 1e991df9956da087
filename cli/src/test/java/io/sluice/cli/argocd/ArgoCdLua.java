package io.sluice.cli.argocd;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.flagger.Canary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Runs the chart's Argo CD Lua scripts (charts/sluice/files/argocd) the way Argo CD does: the resource as the global
 * {@code obj}, the script's return value as the result, and only the libraries Argo CD opens for them (base, table,
 * string, math, and of {@code os}, got with {@code require("os")}, only {@code time}).
 */
final class ArgoCdLua {
    static final Path DIR = Path.of("..", "charts", "sluice", "files", "argocd");

    /** What {@code os.time()} returns in the tests. */
    static final long NOW = 1_765_000_000L;

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ArgoCdLua() {}

    static String script(String name) {
        try {
            return Files.readString(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Lua of one action's definition: request.lua with the action's name in place of "ACTION". */
    static String action(String name) {
        return script("request.lua").replace("\"ACTION\"", "\"" + name + "\"");
    }

    /** Runs the definition of {@code action} with {@code canary} as {@code obj}. */
    static Object runAction(String action, Canary canary) {
        return run(action + ".lua", action(action), canary);
    }

    /** Runs {@code file} with {@code canary} as {@code obj}; returns what it returns, as plain Java values. */
    static Object run(String file, Canary canary) {
        return run(file, script(file), canary);
    }

    private static Object run(String name, String lua, Canary canary) {
        Globals g = new Globals();
        g.load(new JseBaseLib());
        g.load(new PackageLib());
        g.load(new TableLib());
        g.load(new StringLib());
        g.load(new JseMathLib());
        LuaTable os = new LuaTable();
        os.set("time", new ZeroArgFunction() {
            @Override
            public LuaValue call() {
                return LuaValue.valueOf(NOW);
            }
        });
        // As in Argo CD: os is not a global; a script gets it with require("os").
        g.get("package").get("loaded").set("os", os);
        LoadState.install(g);
        LuaC.install(g);
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = SERIALIZATION.convertValue(canary, Map.class);
        g.set("obj", toLua(tree));
        return toJava(g.load(lua, name).call());
    }

    static LuaValue toLua(Object o) {
        if (o == null) {
            return LuaValue.NIL;
        }
        if (o instanceof Map<?, ?> m) {
            LuaTable t = new LuaTable();
            m.forEach((k, v) -> t.set(k.toString(), toLua(v)));
            return t;
        }
        if (o instanceof List<?> l) {
            LuaTable t = new LuaTable();
            for (int i = 0; i < l.size(); i++) {
                t.set(i + 1, toLua(l.get(i)));
            }
            return t;
        }
        if (o instanceof Boolean b) {
            return LuaValue.valueOf(b);
        }
        if (o instanceof Integer || o instanceof Long) {
            return LuaValue.valueOf(((Number) o).doubleValue());
        }
        if (o instanceof Number n) {
            return LuaValue.valueOf(n.doubleValue());
        }
        return LuaValue.valueOf(o.toString());
    }

    /** A table becomes a map (string keys), a string, boolean or number its Java value. */
    static Object toJava(LuaValue v) {
        if (v.isnil()) {
            return null;
        }
        if (v.istable()) {
            Map<String, Object> m = new LinkedHashMap<>();
            LuaValue k = LuaValue.NIL;
            while (true) {
                var next = v.next(k);
                k = next.arg1();
                if (k.isnil()) {
                    break;
                }
                m.put(k.tojstring(), toJava(next.arg(2)));
            }
            return m;
        }
        if (v.isboolean()) {
            return v.toboolean();
        }
        if (v.type() == LuaValue.TNUMBER) {
            return v.todouble();
        }
        return v.tojstring();
    }
}
