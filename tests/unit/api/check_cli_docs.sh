#!/bin/sh
# The apps' command lines and their docs say the same thing:
# - every "<!-- BEGIN CMD -->" ... "<!-- END CMD -->" block of docs/*.md
#   holds exactly what CMD (svplay --help, svtrace run --help, ...) prints,
#   and each app's --help is in the docs;
# - svserver --help names every setting the backend knows (the keys of
#   backend/config.c) and no other, so the one option table is complete.
# `check_cli_docs.sh --update` rewrites the blocks from the built apps
# instead (after changing an option table). Needs SV_SOURCE_DIR and
# SV_BUILD_DIR (set by CTest).
set -eu
: "${SV_SOURCE_DIR:?}" "${SV_BUILD_DIR:?}"
command -v python3 >/dev/null || { echo "FAIL: python3 missing: run scripts/install-deps.sh"; exit 1; }
mode=${1:-check}
python3 - "$SV_SOURCE_DIR" "$SV_BUILD_DIR" "$mode" <<'PY'
import glob, os, re, subprocess, sys

src, build, mode = sys.argv[1], sys.argv[2], sys.argv[3]
apps = {"svplay": "apps/svplay/svplay", "svserver": "apps/svserver/svserver",
        "svtrace": "apps/svtrace/svtrace"}
# The help texts the docs must carry, at least.
required = ["svplay --help", "svserver --help", "svtrace --help", "svtrace run --help",
            "svtrace batch --help", "svtrace emulate --help"]
block = re.compile(r"(<!-- BEGIN (.+?) -->\n)(.*?)(<!-- END \2 -->)", re.S)
failures = []

def run(cmd):
    words = cmd.split()
    exe = os.path.join(build, apps[words[0]])
    # A cross build runs the apps under qemu-user (tests/support/target.sh).
    emulator = os.environ.get("SV_EMULATOR", "").split()
    out = subprocess.run(emulator + [exe] + words[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, LC_ALL="C"), check=False)
    if out.returncode != 0:
        failures.append("%s exited %d" % (cmd, out.returncode))
    return out.stdout.decode()

seen = set()
for path in sorted(glob.glob(os.path.join(src, "docs", "*.md"))):
    text = open(path, encoding="utf-8").read()
    def fill(m):
        cmd = m.group(2)
        seen.add(cmd)
        want = "```text\n" + run(cmd) + "```\n"
        if m.group(3) != want:
            if mode == "--update":
                print("updated: %s: %s" % (os.path.relpath(path, src), cmd))
            else:
                failures.append("%s: the block of '%s' differs from its output "
                                "(tests/unit/api/check_cli_docs.sh --update rewrites it)"
                                % (os.path.relpath(path, src), cmd))
        return m.group(1) + want + m.group(4)
    new = block.sub(fill, text)
    if mode == "--update" and new != text:
        open(path, "w", encoding="utf-8").write(new)
for cmd in required:
    if cmd not in seen:
        failures.append("no docs/*.md block holds '%s'" % cmd)

# svserver's table against the backend's settings.
config = open(os.path.join(src, "backend", "config.c"), encoding="utf-8").read()
m = re.search(r"static const char \*const keys\[\] = \{(.*?)\};", config, re.S)
keys = set(re.findall(r'"([a-z0-9-]+)"', m.group(1))) if m else set()
if len(keys) < 30:
    failures.append("backend/config.c: found only %d setting keys" % len(keys))
helptext = run("svserver --help")
settings = helptext.split("settings (", 1)[1].split("\n  --config FILE", 1)[0] \
    if "settings (" in helptext and "\n  --config FILE" in helptext else ""
options = set(re.findall(r"^  --([a-z0-9-]+)", settings, re.M))
for k in sorted(keys - options):
    failures.append("svserver --help does not describe the setting '%s'" % k)
for k in sorted(options - keys):
    failures.append("svserver --help lists '%s', which the backend does not know" % k)

if failures:
    for f in failures:
        print("FAIL: " + f)
    sys.exit(1)
print("CLI docs: %d help blocks match; svserver describes all %d settings"
      % (len(seen), len(keys)))
PY
