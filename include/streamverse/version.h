/*
 * streamverse/version.h - the versions of the Streamverse headers and library.
 *
 * Three numbers, each with its own job:
 *
 *   - The package version (SV_VERSION_*, sv_version()) names a release of the
 *     whole project: library, apps and backend. It says nothing about
 *     compatibility.
 *   - The ABI version (SV_ABI_VERSION) is the shared library's SOVERSION
 *     (libstreamverse.so.2, libstreamverse-sdl2.so.2). It changes only when
 *     the binary interface breaks: a function removed or changed, a struct
 *     field moved, an enum value renumbered. A program built against one ABI
 *     version cannot run with a library of another.
 *   - The API version (SV_API_VERSION, sv_version_api()) counts what a
 *     program may use within one ABI version: its major number is the ABI
 *     version, its minor number grows when functions, struct fields (at the
 *     end, see docs/sdk.md "ABI and versions") or enum values are added, and
 *     its patch number when behaviour is fixed without changing the
 *     interface.
 *
 * Every SV_* macro here describes the headers an application was compiled
 * against; the functions describe the library it runs with. A program that
 * needs what its headers declare checks at start-up:
 *
 *     unsigned v = sv_version_api();
 *     if (SV_API_VERSION_MAJOR_OF(v) != SV_ABI_VERSION || v < SV_API_VERSION)
 *         ... the library is older than the headers: refuse to start ...
 */
#ifndef STREAMVERSE_VERSION_H
#define STREAMVERSE_VERSION_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The package version. */
#define SV_VERSION_MAJOR 0
#define SV_VERSION_MINOR 1
#define SV_VERSION_PATCH 0

/* Builds a version number, 0xMMmmpp (each part 0..255), to compare with
 * SV_VERSION_NUMBER or SV_API_VERSION. */
#define SV_MAKE_VERSION(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))

/* The package version as one number, 0xMMmmpp, for compile-time comparisons. */
#define SV_VERSION_NUMBER \
    SV_MAKE_VERSION(SV_VERSION_MAJOR, SV_VERSION_MINOR, SV_VERSION_PATCH)

/* The ABI version: the SOVERSION of libstreamverse and libstreamverse-sdl2
 * (the build reads it from this line). */
#define SV_ABI_VERSION 2

/* The API version: major = SV_ABI_VERSION; minor grows with additions;
 * patch with fixes that leave the interface alone. */
#define SV_API_VERSION_MAJOR SV_ABI_VERSION
#define SV_API_VERSION_MINOR 7
#define SV_API_VERSION_PATCH 0

/* The API version as one number, SV_MAKE_VERSION(major, minor, patch):
 * 0x020000 is API 2.0.0. Later versions compare greater. */
#define SV_API_VERSION \
    SV_MAKE_VERSION(SV_API_VERSION_MAJOR, SV_API_VERSION_MINOR, SV_API_VERSION_PATCH)

/* The parts of a number made by SV_MAKE_VERSION. */
#define SV_API_VERSION_MAJOR_OF(v) (((v) >> 16) & 0xff)
#define SV_API_VERSION_MINOR_OF(v) (((v) >> 8) & 0xff)
#define SV_API_VERSION_PATCH_OF(v) ((v) & 0xff)

/*
 * Returns the library's package version as "MAJOR.MINOR.PATCH", a static
 * string. Thread-safe.
 */
SV_API const char *sv_version(void);

/* Returns the library's package version as SV_MAKE_VERSION(major, minor,
 * patch). Thread-safe. */
SV_API unsigned sv_version_number(void);

/*
 * Returns the API version the library was built with, encoded as
 * SV_API_VERSION (0xMMmmpp; MM is the library's ABI version). Thread-safe.
 */
SV_API unsigned sv_version_api(void);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_VERSION_H */
