#!/usr/bin/env python3
"""Check carptop's layering (doc/architecture.md) on the source tree and a build.

usage: scripts/check-layers.py BUILDDIR

The program is built in layers, lowest first (LAYERS below). A file may use
only its own layer and the layers below it:

  1. includes: every #include "..." of a program file resolves to a file of
     the same or a lower layer;
  2. symbols: every function or variable an object file takes from another
     object file (nm) is defined in the same or a lower layer. Meson links the
     layer libraries in one group, so the linker would not catch an upward
     call; this does;
  3. no cycle between the modules of src/ and ui/ (a module is a .c and its
     .h), counting both includes and calls, so each file can be read knowing
     only what it builds on;
  4. the console (ui/) reaches nodes only through the app (src/app): of
     backends/ it includes only the action names (backends/action.h) and
     calls only what action.c defines, never a transport or backend_*.

Test programs (test-*.c) and generated headers are outside the rule. Exits 0
when all hold, 1 with one line per violation otherwise.
"""
import os
import re
import subprocess
import sys

# (layer, folder or file). Order is the rule: lower first.
LAYERS = [
    ("core", "src/core"),
    ("model", "src/model"),
    ("backends", "backends"),
    ("checks", "src/checks"),
    ("output", "src/output"),
    ("app", "src/app"),
    ("workflow", "src/workflow"),
    ("ui", "ui"),
    ("main", "src/main.c"),
]
RANK = {name: i for i, (name, _) in enumerate(LAYERS)}
# Where '#include "x.h"' is looked up besides the including file's folder:
# the include directories the build gives (meson.build).
INCLUDE_ROOTS = ["."] + [p for _, p in LAYERS if not p.endswith(".c")]
# Modules whose cycles are checked (the Done-when of the architecture issue).
CYCLE_SCOPE = ("src/", "ui/")

# Calls that go up a layer on purpose, with the reason. Keep this short.
UPWARD_BY_DESIGN = {
    # The transports ask the engine whether a change request carries its
    # grant: only the engine can name the grant (backend.h), so the check
    # has to live with it, and nothing below can forge or skip it.
    "mutation_grant_valid": "the workflow engine checks its own grant",
}

# What ui/ may take from backends/ (rule 4): naming an action is not reaching
# a node. Everything else goes through src/app, which audits and honours
# read-only mode.
UI_FROM_BACKENDS = {"backends/action.h", "backends/action.c"}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    for name, where in LAYERS:
        if path == where or path.startswith(where + "/"):
            return name
    return None


def program_files():
    files = []
    for name, where in LAYERS:
        if where.endswith(".c"):
            files.append(where)
            continue
        for top, dirs, names in os.walk(where):
            dirs.sort()
            for n in sorted(names):
                if n.endswith((".c", ".h")) and not n.startswith("test-"):
                    files.append(os.path.join(top, n))
    return files


def resolve(inc, includer):
    for base in [os.path.dirname(includer)] + INCLUDE_ROOTS:
        cand = os.path.normpath(os.path.join(base, inc))
        if os.path.isfile(cand):
            return cand
    return None  # generated (build_config.h) or a system header in quotes


def module(path):
    return os.path.splitext(path)[0]


def nm(obj, *flags):
    out = subprocess.run(["nm", "-P", *flags, obj], capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def objects(builddir, files):
    """source path -> object file, by meson's naming (path with '/' -> '_')."""
    by_name = {}
    for top, _, names in os.walk(builddir):
        for n in names:
            if n.endswith(".c.o"):
                by_name.setdefault(n, []).append(os.path.join(top, n))
    found = {}
    for f in files:
        if not f.endswith(".c"):
            continue
        want = f.replace("/", "_") + ".o"
        # The program's own targets, not a test or a benchmark that also compiles the file.
        cands = [o for o in by_name.get(want, [])
                 if os.path.basename(os.path.dirname(o)).startswith(("libcarptop-", "carptop.p"))]
        if cands:
            found[f] = cands[0]
    return found


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    builddir = sys.argv[1]
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    if not os.path.isabs(builddir) and not os.path.isdir(builddir):
        builddir = os.path.join(os.environ.get("OLDPWD", "."), builddir)
    files = program_files()
    bad = []
    edges = {}  # module -> set of modules it uses

    def edge(a, b):
        if module(a) != module(b):
            edges.setdefault(module(a), set()).add(module(b))

    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for inc in INCLUDE_RE.findall(text):
            target = resolve(inc, f)
            if not target:
                continue
            lt = layer_of(target)
            if lt is None:
                bad.append(f"{f}: includes {inc}, which is outside every layer")
                continue
            if RANK[lt] > RANK[layer_of(f)]:
                bad.append(f"{f}: includes {target} of layer {lt}, above its own layer {layer_of(f)}")
            if layer_of(f) == "ui" and lt == "backends" and target not in UI_FROM_BACKENDS:
                bad.append(f"{f}: includes {target}: the console reaches nodes through src/app (rule 4)")
            edge(f, target)

    objs = objects(builddir, files)
    missing = [f for f in files if f.endswith(".c") and f not in objs]
    if missing:
        print(f"check-layers: no object file in {builddir} for: {' '.join(missing)} (build first)",
              file=sys.stderr)
        return 2
    defined = {}
    for f, o in objs.items():
        for ln in nm(o, "--defined-only", "-g"):
            sym, kind = ln.split()[:2]
            if kind in "TDBRVWC" or kind.upper() in "TDBR":
                defined[sym] = f
    for f, o in objs.items():
        for ln in nm(o, "-u"):
            sym = ln.split()[0]
            where = defined.get(sym)
            if not where or where == f or sym in UPWARD_BY_DESIGN:
                continue
            if RANK[layer_of(where)] > RANK[layer_of(f)]:
                bad.append(f"{f}: calls {sym}() of {where}, layer {layer_of(where)} above its own {layer_of(f)}")
            if layer_of(f) == "ui" and layer_of(where) == "backends" and where not in UI_FROM_BACKENDS:
                bad.append(f"{f}: calls {sym}() of {where}: the console reaches nodes through src/app (rule 4)")
            edge(f, where)

    # Cycles: strongly connected components (Tarjan) of the module graph.
    scope = {m for m in edges if m.startswith(CYCLE_SCOPE)}
    scope |= {t for m in scope for t in edges.get(m, ()) if t.startswith(CYCLE_SCOPE)}
    index, low, stack, on, sccs = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in scope:
                continue
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(scope):
        if v not in index:
            strong(v)
    for comp in sccs:
        bad.append(f"cycle of {len(comp)} modules: {' '.join(comp)}")

    for b in bad:
        print(b)
    n_mod = len({module(f) for f in files})
    print(f"check-layers: {len(files)} files, {n_mod} modules, {len(LAYERS)} layers: "
          + ("ok" if not bad else f"{len(bad)} violation(s)"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
