#!/bin/sh
# No file of an app calls into a file that calls back into it: within
# svplay, svserver and svtrace, the graph "A.c calls a function defined in
# B.c" (read from the built objects with nm) has no cycle, so each app's
# files depend one way (docs/architecture.md). With the argument `player`
# the same holds for the files of player/ (the sv_player objects, all
# stages at once: player/core's layers included); with `backend` for the
# files of backend/ (the objects of sv_backend, sv_http and sv_media as one
# graph: live/, media/ and the HTTP layer included, and the calls between
# those libraries too). The checker first runs on
# two small objects that do call each other, so a checker that stopped
# seeing loops fails here too. Needs SV_BUILD_DIR (set by CTest) and CC.
set -eu
: "${SV_BUILD_DIR:?}" "${CC:=cc}"
what=${1:-apps}
case $what in apps|player|backend) ;; *) echo "FAIL: usage: $0 [apps|player|backend]"; exit 1;; esac
command -v nm >/dev/null || { echo "FAIL: nm missing (binutils)"; exit 1; }
command -v python3 >/dev/null || { echo "FAIL: python3 missing: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The known case: a.c -> b.c -> a.c, and c.c -> a.c outside the loop.
printf 'int b(int);\nint a(int x) { return x ? b(x - 1) : 0; }\n' > "$tmp/a.c"
printf 'int a(int);\nint b(int x) { return a(x); }\n' > "$tmp/b.c"
printf 'int a(int);\nint c(void) { return a(3); }\n' > "$tmp/c.c"
for f in a b c; do "$CC" -c "$tmp/$f.c" -o "$tmp/$f.c.o"; done

python3 - "$SV_BUILD_DIR" "$tmp" "$what" <<'PY'
import json, os, re, shlex, subprocess, sys

build, tmp, what = sys.argv[1], sys.argv[2], sys.argv[3]

def loops(objects):
    """objects: {name: path}; returns the sets of files that call each other."""
    defs, uses = {}, {}
    for name, path in objects.items():
        uses[name] = set()
        out = subprocess.run(["nm", path], stdout=subprocess.PIPE, check=True).stdout.decode()
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TDBRV":
                defs[f[2]] = name
            elif len(f) == 2 and f[0] == "U":
                uses[name].add(f[1])
    graph = {n: sorted({defs[s] for s in u if s in defs and defs[s] != n})
             for n, u in uses.items()}
    # Tarjan's strongly connected components.
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
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
                found.append(sorted(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found

fails = 0
known = loops({n: os.path.join(tmp, n + ".o") for n in ("a.c", "b.c", "c.c")})
if known != [["a.c", "b.c"]]:
    print("FAIL: the checker misjudges its known case: %s" % known)
    fails += 1

# The apps' own objects (or the player's, or the backend's), from the
# compile commands. Each graph is a list of targets whose objects are read
# together; an object's name is its source path under the target's folder
# (backend/media's under "media/").
graphs = {
    "apps": [(t, (t,)) for t in ("svplay", "svserver", "svtrace")],
    "player": [("sv_player", ("sv_player",))],
    "backend": [("backend", ("sv_backend", "sv_http", "sv_media"))],
}[what]
least = {"apps": 5, "player": 100, "backend": 60}[what]
prefix = {"sv_media": "media/"}
targets = [t for _, ts in graphs for t in ts]
cc = json.load(open(os.path.join(build, "compile_commands.json")))
objects = {}
for e in cc:
    args = e.get("arguments") or shlex.split(e["command"])
    if "-o" not in args:
        continue
    out = args[args.index("-o") + 1]
    m = re.match(r"CMakeFiles/(%s)\.dir/(.+)\.o$" % "|".join(targets), out)
    if m:
        name = prefix.get(m.group(1), "") + m.group(2)
        objects.setdefault(m.group(1), {})[name] = os.path.join(e["directory"], out)
for graph, ts in graphs:
    objs = {}
    for t in ts:
        objs.update(objects.get(t, {}))
    if len(objs) < least:
        print("FAIL: only %d objects of %s in compile_commands.json" % (len(objs), graph))
        fails += 1
        continue
    found = loops(objs)
    for comp in found:
        print("FAIL: %s: these files call each other: %s" % (graph, ", ".join(comp)))
    fails += len(found)
    if not found:
        print("%s: %d files, no call loop" % (graph, len(objs)))
sys.exit(1 if fails else 0)
PY
