#!/usr/bin/env python3
"""Checks that the stages of a folder depend one way.

Usage: check_stages.py [--repo DIR] RULES...

A rules file names a folder of the repository and its stages, lowest
first; each stage is a subfolder ("." stands for the files directly in
the folder). A file of a stage may include (#include "...") the headers
of its own stage and of the stages listed before it, never those of a
stage listed after it. Includes that resolve outside the folder (libc,
platform/, include/streamverse/, ...) are not the rules' business.

    # player/: the data path, lowest stage first
    folder player
    stage manifest
    stage model
    ...

An include is resolved as the compiler would find it: beside the
including file, then from the repository root, then from the folder
itself. Every .c and .h file under the folder must sit in a listed
stage. Prints each offending file and include and exits 1; exits 2 when
a rules file cannot be read.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


class RulesError(Exception):
    pass


def read_rules(path):
    folder, stages = None, []
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        raise RulesError("%s: %s" % (path, e.strerror))
    for number, line in enumerate(lines, 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "folder" and len(words) == 2 and folder is None:
            folder = words[1].strip("/")
        elif words[0] == "stage" and len(words) == 2 and words[1] not in stages:
            stages.append(words[1].strip("/") or ".")
        else:
            raise RulesError("%s:%d: expected 'folder DIR' once, then 'stage NAME' "
                             "lines: %s" % (path, number, line.strip()))
    if folder is None or not stages:
        raise RulesError("%s: names no folder or no stage" % path)
    return folder, stages


def stage_of(rel, folder):
    """The stage of a repository path under folder, or None outside it."""
    parts = rel.split("/")
    top = folder.split("/")
    if parts[:len(top)] != top:
        return None
    rest = parts[len(top):]
    return rest[0] if len(rest) > 1 else "."


def resolve(repo, folder, rel, inc):
    """Repository path of an include, or None when it is not in the repo."""
    for base in (os.path.dirname(rel), "", folder):
        cand = os.path.normpath(os.path.join(base, inc))
        if not cand.startswith("..") and os.path.isfile(os.path.join(repo, cand)):
            return cand.replace(os.sep, "/")
    return None


def check(repo, rules_path):
    folder, stages = read_rules(rules_path)
    rank = {s: i for i, s in enumerate(stages)}
    problems = []
    top = os.path.join(repo, folder)
    if not os.path.isdir(top):
        raise RulesError("%s: folder %s is not in %s" % (rules_path, folder, repo))
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith((".c", ".h")):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), repo).replace(os.sep, "/")
            own = stage_of(rel, folder)
            if own not in rank:
                problems.append("%s: in no stage of %s (stages: %s)"
                                % (rel, rules_path, ", ".join(stages)))
                continue
            text = open(os.path.join(repo, rel), encoding="utf-8", errors="replace").read()
            for m in INCLUDE.finditer(text):
                target = resolve(repo, folder, rel, m.group(1))
                theirs = stage_of(target, folder) if target else None
                if theirs is None:
                    continue
                if theirs not in rank:
                    problems.append('%s: #include "%s": %s is in no stage'
                                    % (rel, m.group(1), target))
                elif rank[theirs] > rank[own]:
                    problems.append('%s: #include "%s": stage %s (%s) may not include '
                                    'stage %s, which is above it'
                                    % (rel, m.group(1), own, folder, theirs))
    return problems


def main(argv):
    repo = "."
    args = argv[1:]
    if len(args) >= 2 and args[0] == "--repo":
        repo, args = args[1], args[2:]
    if not args:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems = []
    try:
        for rules in args:
            problems += check(repo, rules)
    except RulesError as e:
        print("check_stages: %s" % e, file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    if problems:
        print("FAIL: %d include(s) against the stage order" % len(problems))
        return 1
    print("PASS: %s" % ", ".join(args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
